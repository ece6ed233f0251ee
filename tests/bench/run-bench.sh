#!/usr/bin/env bash
# make bench: boots each run of tests/bench/bench.list in QEMU under -icount
# shift=0,sleep=off, collects the BENCH lines its guests print and prints one table.
#
#   tests/bench/run-bench.sh [NAME...]      (default: every run of the list)
#
# Environment: BUILD (build), ELF ($BUILD/ringvisor.elf), QEMU (qemu-system-x86_64),
# BENCH_LIST (tests/bench/bench.list), BENCH_TIMEOUT (seconds per run, 300).
# Output: the table on stdout and in $BUILD/bench/results.md; the raw lines in
# $BUILD/bench/results.txt; each run's serial log in $BUILD/bench/logs/NAME.log.
# Exit status: 0 when every run finished cleanly, 1 otherwise (its rows say "error").
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ELF=${ELF:-$BUILD/ringvisor.elf}
QEMU=${QEMU:-qemu-system-x86_64}
LIST=${BENCH_LIST:-tests/bench/bench.list}
LIMIT=${BENCH_TIMEOUT:-300}
OUT=$BUILD/bench
LOGS=$OUT/logs
EXIT_PORT=0xf4

die() {
    echo "bench: error: $*" >&2
    exit 2
}

[ -r "$ELF" ] || die "no monitor image $ELF (run make first)"
command -v "$QEMU" >/dev/null || die "$QEMU not found; run tests/tools/install-deps.sh"
mkdir -p "$LOGS"
raw=$OUT/results.txt
: >"$raw"
failed=0

# QEMU's Multiboot loader takes the modules comma-separated, each "FILE ARGS".
initrd_of() { # $1 = "GUEST ARGS ; GUEST ARGS ..."
    local spec=$1 m out="" guest args
    IFS=';' read -r -a mods <<<"$spec"
    for m in "${mods[@]}"; do
        m=$(sed -e 's/^ *//' -e 's/ *$//' <<<"$m")
        guest=${m%% *}
        args=${m#"$guest"}
        [ -r "$BUILD/bench/$guest.elf" ] || die "no bench guest $BUILD/bench/$guest.elf"
        out+="${out:+,}$BUILD/bench/$guest.elf$args"
    done
    printf '%s' "$out"
}

# One run: QEMU, then its BENCH lines into $raw (or an error line for the run).
run_one() { # $1 = NAME, $2 = MEM, $3 = modules
    local name=$1 mem=$2 log=$LOGS/$1.log status lines
    echo "bench: $name" >&2
    set +e
    timeout --kill-after=10 "$LIMIT" "$QEMU" -accel tcg -icount shift=0,sleep=off \
        -machine pc -m "$mem" -smp 1 -display none -monitor none -serial stdio -no-reboot \
        -device "isa-debug-exit,iobase=$EXIT_PORT,iosize=4" \
        -kernel "$ELF" -append "exit_port=$EXIT_PORT" -initrd "$(initrd_of "$3")" \
        </dev/null >"$log" 2>&1
    status=$?
    set -e
    lines=$(tr -d '\r' <"$log" | sed -n 's/^\(\[[^]]*\] \)\{0,1\}BENCH //p')
    if [ "$status" -ne 1 ] || grep -qE 'Test result: (FAILURE|ERROR)' "$log" || [ -z "$lines" ]; then
        echo "bench: $name failed (QEMU status $status); see $log" >&2
        printf '%s error - - run %s failed (see %s)\n' "$name" "$name" "$log" >>"$raw"
        failed=1
        return
    fi
    printf '%s\n' "$lines" >>"$raw"
}

while read -r kind rest; do
    case "$kind" in
        '' | '#'*) continue ;;
        run)
            read -r name mem mods <<<"$rest"
            if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF "$name"; then
                continue
            fi
            run_one "$name" "$mem" "$mods"
            ;;
        na)
            read -r key xen what <<<"$rest"
            [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF "$key" && continue
            printf '%s n/a - %s %s\n' "$key" "$xen" "$what" >>"$raw"
            ;;
        *) die "$LIST: unknown line '$kind $rest'" ;;
    esac
done <"$LIST"

# The table.  Rows: key value target xen what [: reason for n/a].
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff --quiet HEAD 2>/dev/null; then
    commit="$commit (with uncommitted changes)"
fi
table=$OUT/results.md
{
    echo "Instructions per operation, QEMU $("$QEMU" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') -icount shift=0,sleep=off, commit $commit"
    echo
    echo "| Operation | Key | Instructions | Target | Xen 4.17 |"
    echo "|---|---|---:|---:|---:|"
    while read -r key value target xen what; do
        desc=${what%% : *}
        if [ "$value" = n/a ]; then
            value="n/a: ${what#* : }"
        fi
        [ "$target" = - ] || target="<= $target"
        printf '| %s | `%s` | %s | %s | %s |\n' "$desc" "$key" "$value" "$target" "$xen"
    done <"$raw"
} >"$table"
cat "$table"
exit $failed
