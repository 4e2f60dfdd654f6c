#!/usr/bin/env bash
# Installs what switchboard needs on Debian 12, only when something is missing. Each caller names
# the groups it needs and gets no more:
#   build     g++ and make
#   test      what make test, make test-long and the sanitizer runs use: GoogleTest; logrotate,
#             systemd-analyze, man and groff (the packaging tests check the shipped files with
#             them); nats-server (the cluster tests run real peers); curl and promtool (the
#             metrics endpoint's tests: a real HTTP client, a real Prometheus)
#   bench     Google Benchmark (the micro-benchmarks: make, make micro, make bench)
#   valgrind  valgrind and its client header (make test-ct, make test-valgrind)
#   fuzz      clang 14 and its libFuzzer runtime (make fuzz, through scripts/fuzz.sh)
#   scripts/install-deps.sh [GROUP...]      (no group: build test, what make test needs)
# As root it runs apt-get; otherwise it prints the exact command and fails, so nothing is half-done.
set -euo pipefail

# package -> a file whose presence proves it is installed (cheap to check on every `make test`)
declare -A probe=()
for group in "${@:-build test}"; do
  for g in $group; do
    case "$g" in
      build) probe+=([g++]=/usr/bin/g++ [make]=/usr/bin/make) ;;
      test) probe+=([libgtest-dev]=/usr/include/gtest/gtest.h
                    [logrotate]=/usr/sbin/logrotate [systemd]=/usr/bin/systemd-analyze
                    [man-db]=/usr/bin/man [groff-base]=/usr/bin/groff
                    [nats-server]=/usr/sbin/nats-server
                    [curl]=/usr/bin/curl [prometheus]=/usr/bin/promtool) ;;
      bench) probe+=([libbenchmark-dev]=/usr/include/benchmark/benchmark.h) ;;
      valgrind) probe+=([valgrind]=/usr/include/valgrind/memcheck.h) ;;  # the header and the tool
      fuzz) probe+=([clang]=/usr/bin/clang++
                    [libclang-rt-14-dev]=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a) ;;
      *) echo "usage: scripts/install-deps.sh [build|test|bench|valgrind|fuzz]..." >&2; exit 2 ;;
    esac
  done
done

missing=()
for pkg in "${!probe[@]}"; do
  [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "switchboard: missing dependencies: ${missing[*]}" >&2
  echo "run as root:  apt-get update && $cmd" >&2
  exit 1
fi
echo "switchboard: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
$cmd >&2
