#!/usr/bin/env bash
# Installs what switchboard needs to build and test on Debian 12, only when something is missing.
# As root it runs apt-get; otherwise it prints the exact command and fails, so nothing is half-done.
set -euo pipefail

# package -> a file whose presence proves it is installed (cheap to check on every `make test`)
declare -A probe=(
  [g++]=/usr/bin/g++
  [make]=/usr/bin/make
  [libgtest-dev]=/usr/include/gtest/gtest.h
  [libgmock-dev]=/usr/include/gmock/gmock.h
  [libbenchmark-dev]=/usr/include/benchmark/benchmark.h
  [clang]=/usr/bin/clang++
  [libclang-rt-14-dev]=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
  [valgrind]=/usr/include/valgrind/memcheck.h  # make test-ct: the header and the tool
  # the packaging tests: the shipped logrotate policy, the systemd unit, the man pages
  [logrotate]=/usr/sbin/logrotate
  [systemd]=/usr/bin/systemd-analyze
  [man-db]=/usr/bin/man
  [groff-base]=/usr/bin/groff
  # the cluster: real nats-server peers (scripts/cluster.sh, tests/long/test_cluster_*)
  [nats-server]=/usr/sbin/nats-server
  # the metrics endpoint's tests: a real HTTP client, promtool's format check, a real Prometheus
  [curl]=/usr/bin/curl
  [prometheus]=/usr/bin/promtool
)

missing=()
for pkg in "${!probe[@]}"; do
  [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "switchboard: missing build dependencies: ${missing[*]}" >&2
  echo "run as root:  apt-get update && $cmd" >&2
  exit 1
fi
echo "switchboard: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
$cmd >&2
