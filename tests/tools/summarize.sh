#!/bin/sh
# Prints the failed and skipped tests of a results file, then "N passed, N failed".
# Exits non-zero when a test failed or nothing ran.
results=${1:-build/test-results.txt}
[ -f "$results" ] || { echo "no results file $results"; echo "0 passed, 1 failed"; exit 1; }
pass=$(grep -c '^PASS ' "$results")
fail=$(grep -c '^FAIL ' "$results")
skip=$(grep -c '^SKIP ' "$results")
grep -E '^(FAIL|SKIP) ' "$results" || true
if [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ]; then
    echo "no test ran"
    fail=1
fi
if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
