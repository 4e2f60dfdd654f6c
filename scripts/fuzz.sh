#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan, UBSan findings fatal) into build/fuzz/, replays
# every kept regression input, then runs each target for SECONDS over a scratch copy of its seed
# corpus (the committed corpus is never grown). Exits non-zero, naming the artifact, if any target
# fails to build, crashes, leaks, runs out of memory or times out.
#   scripts/fuzz.sh [SECONDS]                 (what `make fuzz FUZZ_SECONDS=N` runs; default 60)
# Environment:
#   FUZZ_OUT=dir        build and run directory (default build/fuzz)
#   FUZZ_TARGETS="..."  subset of: parser server (default both, run one after the other)
#   FUZZ_ARGS="..."     extra libFuzzer flags, e.g. "-use_value_profile=1"
#   CLANGXX=...         the compiler (default clang++-14, else clang++)
# A crash leaves FUZZ_OUT/artifacts/<target>/crash-<sha1>. Reproduce with
#   FUZZ_OUT/fuzz_<target> FUZZ_OUT/artifacts/<target>/crash-<sha1>
# minimize with `-minimize_crash=1 -runs=10000`, and keep it as tests/fuzz/regressions/<target>/<name>
# (tests/unit/test_fuzz_regressions.cpp and this script replay that directory).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
case "$secs" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2 ;; esac
# clang and libFuzzer's runtime are needed here only, so they are installed here, not by `make test`.
[ -n "${CLANGXX:-}" ] || scripts/install-deps.sh fuzz
out=${FUZZ_OUT:-build/fuzz}
targets=${FUZZ_TARGETS:-parser server}
if [ -z "${CLANGXX:-}" ]; then
  if command -v clang++-14 >/dev/null; then CLANGXX=clang++-14; else CLANGXX=clang++; fi
fi
command -v "$CLANGXX" >/dev/null || { echo "fuzz: $CLANGXX not found (clang 14 is needed for libFuzzer)" >&2; exit 2; }

# Library objects get the fuzzer's coverage instrumentation without its main(); only the final
# link adds libFuzzer itself. -Werror is left out on purpose: clang warns about things g++ does
# not, and a warning in someone else's file must not stop the fuzzers (make test keeps -Werror).
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-std=c++20 -I. -g -O1 -pthread -Wall -Wextra -MMD -MP -fsanitize=fuzzer-no-link $san"
ldflags="-fsanitize=fuzzer $san -pthread"

# The project Makefile already knows how to compile any .cpp into \$(O)/obj and archive the
# libraries with dependency tracking; only the compiler and flags differ.
objs=()
for t in $targets; do objs+=("$out/obj/tests/fuzz/fuzz_$t.o" "$out/obj/tests/fuzz/${t}_harness.o"); done
echo "fuzz: building with $CLANGXX into $out/"
mkdir -p "$out"
make --no-print-directory -j"$(nproc)" O="$out" MODE= CXX="$CLANGXX" CXXFLAGS="$cflags" LDFLAGS="$ldflags" \
  "$out/lib/libserver.a" "$out/lib/libcommon.a" "${objs[@]}" >"$out/build.log" 2>&1 || {
  cat "$out/build.log" >&2
  echo "fuzz: build failed (log: $out.build.log)" >&2
  exit 1
}
for t in $targets; do
  bin="$out/fuzz_$t"
  inputs=("$out/obj/tests/fuzz/fuzz_$t.o" "$out/obj/tests/fuzz/${t}_harness.o" "$out/lib/libserver.a" "$out/lib/libcommon.a")
  stale=0
  for f in "${inputs[@]}"; do if [ "$f" -nt "$bin" ]; then stale=1; fi; done
  if [ ! -x "$bin" ] || [ $stale -eq 1 ]; then
    "$CLANGXX" "${inputs[@]}" $ldflags -o "$bin"
  fi
done

status=0
summary=()
for t in $targets; do
  bin="$out/fuzz_$t"
  corpus=tests/fuzz/corpus/$t
  regressions=tests/fuzz/regressions/$t
  work="$out/work/$t"
  artifacts="$out/artifacts/$t"
  log="$out/logs/$t.log"
  rm -rf "$work" "$artifacts"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  [ -d "$corpus" ] && cp -r "$corpus/." "$work/"

  # Regressions first: each kept input runs once; a failure here is a bug that came back.
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! "$bin" -timeout=30 -artifact_prefix="$artifacts/" "$regressions"/* >"$out/logs/$t.regressions.log" 2>&1; then
      tail -n 40 "$out/logs/$t.regressions.log" >&2
      echo "fuzz: $t: a regression input fails again (log: $out/logs/$t.regressions.log)" >&2
      status=1
      summary+=("$t: REGRESSION FAILED")
      continue
    fi
  fi

  if [ "$secs" -eq 0 ]; then  # build and replay only (libFuzzer reads -max_total_time=0 as "no limit")
    summary+=("$t: built, regressions replayed")
    continue
  fi
  echo "fuzz: $t: ${secs}s over a copy of $corpus (log: $log)"
  rc=0
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict=tests/fuzz/protocol.dict -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} "$work" >"$log" 2>&1 || rc=$?
  found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  echo "fuzz: $t: ${runs:-?} runs, ${speed:-?} exec/s; last: ${last:-none}"
  if [ $rc -ne 0 ] || [ -n "$found" ]; then
    status=1
    grep -E -A 30 '==ERROR|runtime error|invariant broken|Test unit written|ALARM|out-of-memory' "$log" | head -n 60 >&2 || true
    echo "fuzz: $t FAILED (exit $rc); artifacts:" >&2
    [ -n "$found" ] && echo "$found" | sed 's/^/  /' >&2
    echo "  reproduce: $bin <artifact>    full log: $log" >&2
    summary+=("$t: FAILED")
  else
    summary+=("$t: ok (${runs:-?} runs, ${speed:-?} exec/s, ${last#* })")
  fi
done

printf 'fuzz: %s\n' "${summary[@]}"
exit $status
