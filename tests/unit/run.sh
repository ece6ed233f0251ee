#!/bin/sh
# Runs one cmocka test executable; prints "PASS|FAIL|SKIP <name>/<case>" for each test case.
# Usage: run.sh EXECUTABLE NAME LOG    (NAME e.g. unit/buddy; the test's own output goes to LOG)
# A crash, a timeout or a sanitizer report is a FAIL line too, never a missing one.
exe=$1
name=$2
log=$3
limit=${UNIT_TIMEOUT:-120}

if command -v timeout >/dev/null 2>&1; then
    runner="timeout $limit"
else
    runner=""
fi
# Sanitizer reports end the executable with a failing status, leaks included.
CMOCKA_MESSAGE_OUTPUT=STDOUT \
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    $runner "$exe" > "$log" 2>&1
status=$?

awk -v name="$name" -v status="$status" -v logfile="$log" '
function note(s) {
    # Why a case failed: a cmocka or fail_msg() message first, else the first other line.
    if (s ~ /^ERROR: / || s ~ /^\[  ERROR   \] --- ./ || s ~ /^==[0-9]+==ERROR: / ||
        s ~ /: runtime error: /) {
        sub(/^\[  ERROR   \] --- /, "", s)
        sub(/^==[0-9]+==ERROR: /, "", s)
        sub(/^ERROR: /, "", s)
        if (s != "" && s !~ /^\[   LINE   \]/ && strong == "") strong = substr(s, 1, 160)
        return
    }
    if (s != "" && s !~ /^=+$/ && s !~ /^\[   LINE   \]/ && weak == "") weak = substr(s, 1, 160)
}
function why() { return strong != "" ? strong : weak }
/^\[ RUN      \] / { cur = substr($0, 14); running = 1; strong = ""; weak = ""; where = ""; next }
/^\[==========\] Running [0-9]+ test/ { total = $3 + 0; next }
!running { next }
/^\[       OK \] / { print "PASS " name "/" cur; done++; running = 0; next }
/^\[  SKIPPED \] / { print "SKIP " name "/" cur " (skipped)"; done++; running = 0; next }
/^\[  FAILED  \] / {
    msg = why(); if (where != "") msg = where ": " msg
    print "FAIL " name "/" cur " (" msg ")"; done++; failed++; running = 0; next
}
/\[   LINE   \] --- / {
    if (where == "") {
        where = $0
        sub(/^.*\[   LINE   \] --- /, "", where)
        sub(/: error: .*$/, "", where)
    }
}
{ note($0) }
END {
    if (running) {
        msg = status == 124 ? "timed out" : why()
        print "FAIL " name "/" cur " (crashed, exit status " status ": " msg "; see " logfile ")"
        done++; failed++
    }
    if (total == 0) {
        print "FAIL " name " (no test ran, exit status " status "; see " logfile ")"
    } else if (done < total) {
        print "FAIL " name " (" total - done " of " total " test cases never ran; see " logfile ")"
    } else if (status != 0 && failed == 0) {
        print "FAIL " name " (exit status " status " after every case passed; see " logfile ")"
    }
}' "$log"
