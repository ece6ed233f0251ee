#!/usr/bin/env bash
# Runs one QEMU integration test from tests/qemu/tests.list.
#
#   tests/qemu/run-test.sh NAME
#
# One test is one QEMU run (TCG, never KVM) under `timeout`: the monitor is booted along the
# test's boot path with the test's memory, CPU count and command line, the serial output
# is kept in $BUILD/test-logs/NAME.log (pass or fail), and then
#   - QEMU's exit status must be the expected one (the monitor leaves QEMU through the
#     isa-debug-exit device: 1 = it wrote 0, a clean stop; 3 = it wrote 1, a failure;
#     a run still going at the timeout is a hang, a failure unless the test expects it),
#   - every "expect" regex must match a line of the log and no "reject" regex may,
#   - a "memory" check compares the "Memory: N MiB RAM" figure with the -m value.
# The log is matched with GRUB's and the firmware's terminal escapes and CRs removed.
#
# One line is appended to $RESULTS (default $BUILD/test-results.txt) and printed:
#   PASS NAME | FAIL NAME (reason) | SKIP NAME (reason)
# Exit status: 0 for PASS or SKIP, 1 for FAIL, 2 for a harness error (bad list, no image).
#
# Environment: see tests/qemu/lib.sh (BUILD, ELF, QEMU, OVMF_*, LIST), plus
#   RESULTS         results file (appended to, never truncated)
#   TIMEOUT_SCALE   multiplies every timeout (for slow machines), default 1
#   QEMU_TEST_VERBOSE=1   print the serial log of a failed test
set -euo pipefail

cd "$(dirname "$0")/../.."
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

RESULTS=${RESULTS:-$BUILD/test-results.txt}
LOGDIR=$BUILD/test-logs
WORKDIR=$BUILD/test-work
TIMEOUT_SCALE=${TIMEOUT_SCALE:-1}

# Default time limits per boot path, in seconds.  A boot takes well under a second on the
# kernel and bios paths and 5-15 s on uefi (OVMF under TCG); the margins cover a loaded
# machine running two tests at a time.
declare -A PATH_TIMEOUT=([kernel]=60 [bios]=90 [uefi]=180)

[ $# -eq 1 ] || die "usage: $0 NAME"
name=$1
parse_list
[ -n "${T_PATH[$name]+x}" ] || die "no test '$name' in $LIST"
directives=$(expand_directives "$name") || exit 2

path=${T_PATH[$name]}
mem=${T_MEM[$name]}
cpus=${T_CPUS[$name]}
want=${T_STATUS[$name]}
cmdline=${T_CMDLINE[$name]}
mkdir -p "$LOGDIR" "$WORKDIR" "$(dirname "$RESULTS")"
log=$LOGDIR/$name.log
rm -f "$log"

# From here on a harness error is also reported as this test's failure.
die() {
    result FAIL "harness: $*"
    echo "qemu-tests: error: $*" >&2
    exit 2
}

result() { # $1 = PASS|FAIL|SKIP, $2 = reason
    local line="$1 $name${2:+ ($2)}"
    printf '%s\n' "$line" >>"$RESULTS"
    printf '%s\n' "$line"
    if [ "$1" = FAIL ] && [ "${QEMU_TEST_VERBOSE:-0}" = 1 ] && [ -r "$log" ]; then
        sed 's/^/    | /' "$log"
    fi
    return 0
}

# Directives, with sets expanded.
expects=() rejects=() memcheck="" extra_qemu=() skip="" modules=() limit=${PATH_TIMEOUT[$path]}
inputs=()
while IFS= read -r d; do
    [ -n "$d" ] || continue
    word=${d%%[[:space:]]*}
    arg=${d#"$word"}
    arg=${arg#"${arg%%[![:space:]]*}"}
    case "$word" in
        expect) expects+=("$arg") ;;
        reject) rejects+=("$arg") ;;
        memory) memcheck=$arg ;; # the last one counts: a test can override its set's
        timeout) [[ "$arg" =~ ^[0-9]+$ ]] || die "test '$name': bad timeout '$arg'"; limit=$arg ;;
        skip) skip=$arg ;;
        entry) ;; # read by parse_list
        qemu) read -r -a more <<<"$arg"; extra_qemu+=("${more[@]}") ;;
        module) modules+=("$arg") ;;
        wait | send) inputs+=("$word $arg") ;;
        quiet)
            [[ "$arg" =~ ^[0-9]+(\.[0-9]+)?[[:space:]]+[^[:space:]] ]] ||
                die "test '$name': quiet takes SECONDS REGEX, got '$arg'"
            inputs+=("$word $arg")
            ;;
    esac
done <<<"$directives"

if [ -n "$skip" ]; then
    result SKIP "$skip"
    exit 0
fi
[ -r "$ELF" ] || die "no monitor image $ELF (run make first)"

# The monitor leaves QEMU through isa-debug-exit unless the test chose its own exit_port.
case " $cmdline " in
    *" exit_port="*) ;;
    *) cmdline="${cmdline:+$cmdline }exit_port=$DEBUG_EXIT_PORT" ;;
esac

qemu_args=(-accel tcg -m "$mem" -smp "$cpus" -display none -monitor none -serial stdio
           -no-reboot -device "isa-debug-exit,iobase=$DEBUG_EXIT_PORT,iosize=4")
case "$path" in
    kernel)
        qemu_args+=(-machine pc -kernel "$ELF" -append "$cmdline")
        if [ ${#modules[@]} -gt 0 ]; then
            # QEMU's Multiboot loader takes the modules comma-separated, each "FILE ARGS".
            qemu_args+=(-initrd "$(IFS=,; echo "${modules[*]}")")
        fi
        ;;
    bios)
        iso=$(iso_for_cmdline "$cmdline" "${T_ENTRY[$name]}" ${modules[@]+"${modules[@]}"}) ||
            die "cannot build the GRUB image for '$name'"
        qemu_args+=(-machine pc -cdrom "$iso" -boot d)
        ;;
    uefi)
        mapfile -t fw < <(ovmf_args "$WORKDIR/$name.OVMF_VARS.fd" || true)
        if [ ${#fw[@]} -eq 0 ]; then
            result SKIP "no OVMF firmware found: install Debian's ovmf"
            exit 0
        fi
        iso=$(iso_for_cmdline "$cmdline" "${T_ENTRY[$name]}" ${modules[@]+"${modules[@]}"}) ||
            die "cannot build the GRUB image for '$name'"
        qemu_args+=(-machine q35 "${fw[@]}" -cdrom "$iso")
        ;;
esac
qemu_args+=(${extra_qemu[@]+"${extra_qemu[@]}"})
limit=$(awk -v t="$limit" -v s="$TIMEOUT_SCALE" 'BEGIN { printf "%d", t * s + 0.5 }')

# With wait/send/quiet directives, QEMU's standard input (its serial input) is a FIFO that
# feed_input writes; otherwise nothing.
input=/dev/null feeder="" input_status=$WORKDIR/$name.input input_ended=$WORKDIR/$name.ended
if [ ${#inputs[@]} -gt 0 ]; then
    input=$WORKDIR/$name.fifo
    rm -f "$input" "$input_status" "$input_ended"
    mkfifo "$input"
    : >"$log"
    feed_input "$input" "$log" "$input_status" "$input_ended" "${inputs[@]}" &
    feeder=$!
fi

start=$(date +%s.%N)
set +e
timeout --kill-after=10 "$limit" "$QEMU" "${qemu_args[@]}" <"$input" >"$log" 2>&1
status=$?
set -e
if [ -n "$feeder" ]; then
    # The feeder's last look at the log (its waits may match the final lines), bounded.
    touch "$input_ended"
    for _ in $(seq 50); do
        kill -0 "$feeder" 2>/dev/null || break
        sleep 0.1
    done
    kill "$feeder" 2>/dev/null || true
    wait "$feeder" 2>/dev/null || true
    rm -f "$input" "$input_ended"
fi
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
printf '%s %s %s\n' "$name" "$path" "$elapsed" >>"$LOGDIR/timings.txt"

# The log as checked: no terminal escapes (GRUB, OVMF), no CRs, no NULs.
clean=$(clean_log "$log")
# Then how the run went, at the end of the kept log (not part of what is checked).
{
    echo
    echo "--- harness: $QEMU ${qemu_args[*]}"
    echo "--- harness: command line '$cmdline', QEMU exit status $status after ${elapsed}s (limit ${limit}s)"
} >>"$log"

describe_status() {
    case "$1" in
        0) echo "QEMU exited by itself (reset or power-off)" ;;
        1) echo "clean exit (status 1)" ;;
        3) echo "failure exit (status 3)" ;;
        124 | 137) echo "hang: no exit within ${limit}s" ;;
        hang) echo "a hang" ;;
        *) echo "QEMU exit status $1" ;;
    esac
}

# QEMU itself refusing to run (bad option, missing file) also exits with status 1.
qemu_error=$(grep -m1 -E '^qemu(-system-[a-z0-9_]+)?: ' <<<"$clean" | grep -v 'terminating on signal' || true)
if [ "$status" -eq 1 ] && [ -n "$qemu_error" ] && ! grep -q 'Ringvisor' <<<"$clean"; then
    result FAIL "QEMU did not run: '${qemu_error:0:120}'; log $log"
    exit 1
fi

# A load failure in GRUB (the test images power off then) says why in GRUB's words.
grub_error=$(grep -m1 -E '^error: ' <<<"$clean" || true)
if [ -n "$grub_error" ] && grep -q 'GRUB: could not boot' <<<"$clean"; then
    result FAIL "GRUB could not load the monitor: '${grub_error:0:100}'; log $log"
    exit 1
fi

# Serial input: every directive carried out, every quiet period quiet.
if [ -n "$feeder" ]; then
    if fail=$(grep -m1 '^FAIL ' "$input_status"); then
        result FAIL "input: ${fail#FAIL }; log $log"
        exit 1
    fi
    if ! grep -q '^DONE$' "$input_status"; then
        last=$(tail -n1 "$input_status" 2>/dev/null || true)
        result FAIL "input: the run ended ${last:-before the first directive} (not carried out); log $log"
        exit 1
    fi
fi

if [ "$want" = hang ]; then
    if [ "$status" -ne 124 ] && [ "$status" -ne 137 ]; then
        result FAIL "expected a hang, got $(describe_status "$status"), ${elapsed}s; log $log"
        exit 1
    fi
elif [ "$status" -ne "$want" ]; then
    result FAIL "expected $(describe_status "$want"), got $(describe_status "$status"), ${elapsed}s; log $log"
    exit 1
fi

for re in ${expects[@]+"${expects[@]}"}; do
    if ! grep -qE -- "$re" <<<"$clean"; then
        result FAIL "missing /$re/; log $log"
        exit 1
    fi
done
for re in ${rejects[@]+"${rejects[@]}"}; do
    if hit=$(grep -m1 -E -- "$re" <<<"$clean"); then
        result FAIL "unwanted /$re/: '${hit:0:120}'; log $log"
        exit 1
    fi
done
if [ -n "$memcheck" ]; then
    read -r lo hi <<<"$memcheck"
    [[ "$lo" =~ ^[0-9]+$ && "$hi" =~ ^[0-9]+$ ]] || die "test '$name': bad memory check '$memcheck'"
    got=$(grep -oE 'Memory: [0-9]+ MiB RAM' <<<"$clean" | head -n1 | grep -oE '[0-9]+' || true)
    if [ -z "$got" ]; then
        result FAIL "no 'Memory: N MiB RAM' line; log $log"
        exit 1
    fi
    # lo% * mem <= got <= hi% * mem, in integers.
    if [ $((got * 100)) -lt $((mem * lo)) ] || [ $((got * 100)) -gt $((mem * hi)) ]; then
        result FAIL "Memory: $got MiB with -m $mem, wanted ${lo}%..${hi}% of it; log $log"
        exit 1
    fi
fi

result PASS ""
