#!/usr/bin/env bash
# Runs the QEMU integration tests of tests/qemu/tests.list, a few at a time.
#
#   tests/qemu/run-tests.sh [-j JOBS] [PATTERN...]
#
# PATTERN: shell globs on test names (e.g. 'boot-uefi-*' 'panic-*'); default: all tests.
# JOBS:    QEMU runs at a time (default $QEMU_TEST_JOBS, else 2).  QEMU uses TCG, one host
#          thread per busy virtual CPU, so two runs keep a two-core machine busy.
#
# Each test appends its line (PASS/FAIL/SKIP NAME ...) to $RESULTS (default
# $BUILD/test-results.txt; never truncated here) and prints it.  At the end come the time
# each boot path took and the line "qemu: N passed, N failed, N skipped".
# Exit status: 0 when nothing failed, 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/../.."
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

RESULTS=${RESULTS:-$BUILD/test-results.txt}
LOGDIR=$BUILD/test-logs
jobs=${QEMU_TEST_JOBS:-2}

# A harness error (a mistake in the list, a missing tool) is a failure in the results too.
die() {
    echo "qemu-tests: error: $*" >&2
    mkdir -p "$(dirname "$RESULTS")"
    printf 'FAIL qemu-harness (%s)\n' "$*" | tee -a "$RESULTS" >&2
    exit 2
}

while getopts "j:h" opt; do
    case "$opt" in
        j) jobs=$OPTARG ;;
        *) sed -n '2,13p' "$0" >&2; exit 64 ;;
    esac
done
shift $((OPTIND - 1))
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "bad job count '$jobs'"

parse_list
[ -r "$ELF" ] || die "no monitor image $ELF (run make first)"
command -v "$QEMU" >/dev/null || die "$QEMU not found; run tests/tools/install-deps.sh"
command -v timeout >/dev/null || die "timeout (coreutils) not found"
command -v flock >/dev/null || die "flock (util-linux) not found"

selected=()
for t in "${TESTS[@]}"; do
    if [ $# -eq 0 ]; then
        selected+=("$t")
        continue
    fi
    for pat in "$@"; do
        # shellcheck disable=SC2053
        if [[ "$t" == $pat ]]; then
            selected+=("$t")
            break
        fi
    done
done
[ ${#selected[@]} -gt 0 ] || die "no test matches: $*"
# A mistake in the list (an unknown set) stops everything, before any QEMU runs.
for t in "${selected[@]}"; do
    (expand_directives "$t" >/dev/null) || exit 2
done

# Longest first, so the slow UEFI boots do not end up alone at the end:
# uefi, then bios, then kernel; within a path the larger memory first.
order=$(for t in "${selected[@]}"; do
            case "${T_PATH[$t]}" in uefi) w=3 ;; bios) w=2 ;; *) w=1 ;; esac
            printf '%s %s %s\n' "$w" "${T_MEM[$t]}" "$t"
        done | sort -k1,1nr -k2,2nr | cut -d' ' -f3)

mkdir -p "$LOGDIR" "$(dirname "$RESULTS")"
: >"$LOGDIR/timings.txt"
out=$LOGDIR/run.out
: >"$out"

echo "qemu: running ${#selected[@]} test(s), $jobs at a time; logs in $LOGDIR/"
start=$(date +%s)
# xargs' own status only says that some test failed; the result lines are what counts.
# shellcheck disable=SC2086
printf '%s\n' $order | xargs -P "$jobs" -n 1 tests/qemu/run-test.sh | tee -a "$out" || true
end=$(date +%s)

# A test that died without a verdict still gets one.
for t in "${selected[@]}"; do
    if ! grep -qE "^(PASS|FAIL|SKIP) $t( |\$)" "$out"; then
        line="FAIL $t (harness: no result; see $LOGDIR/$t.log)"
        printf '%s\n' "$line" >>"$RESULTS"
        printf '%s\n' "$line" | tee -a "$out"
    fi
done

passed=$(grep -c '^PASS ' "$out" || true)
failed=$(grep -c '^FAIL ' "$out" || true)
skipped=$(grep -c '^SKIP ' "$out" || true)

echo "qemu: time per boot path (runs, sum of run times, longest run):"
awk '{ n[$2]++; s[$2] += $3; if ($3 > m[$2]) m[$2] = $3 }
     END { for (p in n) printf "  %-7s %3d runs %7.1f s total %6.1f s longest\n", p, n[p], s[p], m[p] }' \
    "$LOGDIR/timings.txt" | sort
echo "qemu: wall time $((end - start)) s with $jobs job(s)"
echo "qemu: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
