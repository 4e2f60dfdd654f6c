#!/usr/bin/env bash
# Runs each GoogleTest binary given, then prints one closing line "tests: N passed, N failed".
# Exits non-zero if any binary fails or if no test ran at all.
set -u
passed=0; failed=0; bad_bins=()
for bin in "$@"; do
  echo "=== $bin"
  out=$(mktemp)
  "$bin" --gtest_brief=1 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
  rm -f "$out"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ]; then
    bad_bins+=("$bin")
    [ -z "$f" ] && failed=$((failed + 1))   # crashed before gtest could count
  fi
done
[ ${#bad_bins[@]} -gt 0 ] && printf 'failing binary: %s\n' "${bad_bins[@]}"
echo "tests: $passed passed, $failed failed"
[ ${#bad_bins[@]} -eq 0 ] && [ "$passed" -gt 0 ]
