#!/usr/bin/env bash
# CPU time per routed message of each server thread (event loop, log worker), user and system
# apart, under one closed-loop load, and the log_dropped lines of the run: where a logging level's
# cost goes, which a throughput A/B (scripts/ab.sh) cannot tell. Server on core 0, driver on core 1.
#   scripts/thread-cost.sh SERVER [server flags...]
#   e.g. scripts/thread-cost.sh build/switchboard-server --log-level debug
# Environment: BENCH_ARGS (default: the standard load, 1,000 nodes, random, window 64, 64 B).
# The CPU times are read from /proc over 2 s in the middle of a 4 s run (clock ticks of 10 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-port.sh
[ $# -ge 1 ] || { sed -n '2,7p' "$0" >&2; exit 2; }
BIN=$1; shift
BENCH_ARGS=${BENCH_ARGS:---nodes 1000 --pattern random --window 64}
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

taskset -c 0 "$BIN" --port 0 --log-dir "$WORK" --idle-timeout 600 "$@" >"$WORK/server.out" 2>&1 &
PID=$!
SERVER_PID=$PID
port=$(server_port "$WORK/server.out") || { echo "server $BIN did not start" >&2; cat "$WORK/server.out" >&2; exit 1; }
# shellcheck disable=SC2086
taskset -c 1 build/switchboard-bench --port "$port" --server-pid "$PID" --json --warmup 1 --duration 4 \
  $BENCH_ARGS >"$WORK/bench.json" 2>/dev/null &
BENCH_PID=$!

ticks() { awk '{ print $14, $15 }' "/proc/$PID/task/$1/stat"; }  # utime stime
sleep 2
tids=$(ls "/proc/$PID/task")
declare -A before
for t in $tids; do before[$t]=$(ticks "$t"); done
sleep 2
declare -A after
for t in $tids; do after[$t]=$(ticks "$t" 2>/dev/null || echo "0 0"); done
wait "$BENCH_PID" || true
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

rate=$(sed -n 's/.*"msgs_per_s":\([0-9.e+-]*\).*/\1/p' "$WORK/bench.json")
echo "msgs/s $rate"
hz=$(getconf CLK_TCK)
for t in $tids; do
  read -r u0 s0 <<<"${before[$t]}"
  read -r u1 s1 <<<"${after[$t]}"
  name=$([ "$t" = "$SERVER_PID" ] && echo loop || echo "thread $t")
  awk -v n="$name" -v r="$rate" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" \
    'BEGIN { m = r * 2; if (m > 0 && u + s > 0) printf "%s: user %.0f ns/msg, system %.0f ns/msg\n", n, u * 1e9 / hz / m, s * 1e9 / hz / m }'
done
dropped=$(cat "$WORK"/*.log 2>/dev/null | { grep -o 'event=log_dropped count=[0-9]*' || true; } | awk -F= '{ s += $3 } END { print s + 0 }')
echo "log_dropped $dropped"
