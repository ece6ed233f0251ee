#!/usr/bin/env bash
# A profile of one hypercall: every monitor instruction from the int $0x82 gate back to
# the guest, counted per function.  For finding where make bench's figures go.
#
#   tests/bench/trace.sh GUEST NR [SKIP] [-- GUEST ARGS]
#
# Boots $BUILD/bench/GUEST.elf under the i386 QEMU with its GDB stub, stops at the
# hypercall gate (hypercall_gate) when EAX is NR (a hypercall number of <xen/xen.h>), lets SKIP such calls
# pass (default 100, so the one traced is warm), then single-steps to the guest's next
# instruction.  Prints the instruction count per function, in the order first reached,
# and the total.  QEMU masks interrupts while GDB single-steps, so no tick gets in.
# The full trace (address and function per instruction) is kept in
# $BUILD/bench/trace-GUEST-NR.txt.
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ELF=${ELF:-$BUILD/ringvisor.elf}
QEMU_I386=${QEMU_I386:-qemu-system-i386}
[ $# -ge 2 ] || { sed -n '2,15p' "$0" >&2; exit 64; }
guest=$1 nr=$2 skip=${3:-100}
shift 2; [ $# -gt 0 ] && [ "$1" != -- ] && shift
[ "${1:-}" = -- ] && shift
args="$*"
image=$BUILD/bench/$guest.elf
[ -r "$image" ] && [ -r "$ELF" ] || { echo "trace: build first (make)" >&2; exit 2; }
port=$((27000 + $(id -u) % 5000))
out=$BUILD/bench/trace-$guest-$nr.txt
gdbscript=$(mktemp)
trap 'rm -f "$gdbscript"; kill $qpid 2>/dev/null || true' EXIT

"$QEMU_I386" -cpu qemu64,-lm,-syscall -accel tcg -machine pc -m 64 -smp 1 -display none \
    -monitor none -serial null -no-reboot -kernel "$ELF" -append "" \
    -initrd "$image name=trace${args:+ -- $args}" -S -gdb "tcp:localhost:$port" &
qpid=$!
sleep 1

cat >"$gdbscript" <<GDB
set architecture i386
set pagination off
file $ELF
target remote localhost:$port
break *hypercall_gate if \$eax == $nr
ignore 1 $skip
continue
python
import gdb
counts, order, lines = {}, [], []
pc = int(gdb.parse_and_eval("\$pc")) & 0xffffffff
while pc >= 0xF5800000:
    sym = gdb.execute("info symbol %d" % pc, to_string=True).split(" in section")[0]
    fn = sym.split(" + ")[0].strip()
    if fn not in counts:
        counts[fn] = 0
        order.append(fn)
    counts[fn] += 1
    lines.append("%08x %s" % (pc, sym.strip()))
    gdb.execute("stepi", to_string=True)
    pc = int(gdb.parse_and_eval("\$pc")) & 0xffffffff
with open("$out", "w") as f:
    f.write("\n".join(lines) + "\n")
for fn in order:
    print("%6d  %s" % (counts[fn], fn))
print("%6d  total: monitor instructions from the gate to the iret, both included" % sum(counts.values()))
end
kill
quit
GDB
gdb -q -batch -x "$gdbscript" 2>&1 | grep -E '^ *[0-9]+  '
