#!/usr/bin/env bash
# Alternating A/B runs of two server binaries under one load, in one sitting: the machine's speed
# drifts by up to 50% between minutes, so a speed claim compares A and B run back to back, pair
# after pair, never across sittings. Server pinned to core 0, the bench driver to core 1.
#   scripts/ab.sh A_SERVER B_SERVER PAIRS [bench flags...]
#   e.g. scripts/ab.sh /tmp/old/switchboard-server build/switchboard-server 4 --nodes 1000 --pattern random --window 64
# Environment: BENCH (default build/switchboard-bench), DURATION (3), WARMUP (1), SERVER_ARGS
# (extra server flags, e.g. "--log-level debug"), A_ARGS / B_ARGS (server flags for one side only),
# A_BENCH / B_BENCH (bench flags for one side only, e.g. A_BENCH="--pattern members").
# A side named nats-server runs nats-server (-a 127.0.0.1 -p -1) and the bench with --proto nats.
# SATURATED=1: for a closed-loop workload that keeps both processes busy, a run in which the
# server or the driver got less than 90% of a core (the host took the VM's CPU away: this
# machine does not report steal time) is discarded and run again, up to 5 times, and said so.
# Prints one line per run and, per pair, B/A of msgs/s; the last line has the median ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { sed -n '2,11p' "$0" >&2; exit 2; }
A=$1 B=$2 PAIRS=$3; shift 3
BENCH=${BENCH:-build/switchboard-bench}
DURATION=${DURATION:-3} WARMUP=${WARMUP:-1}
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

field() { sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p" <<<"$2"; }

# run_one BINARY EXTRA_ARGS SIDE_BENCH_FLAGS BENCH_FLAGS...: prints msgs/s p50 p99 of one run
run_one() {
  local bin=$1 extra=$2 side=$3 out="$WORK/server.out" port="" proto=switchboard
  shift 3
  : >"$out"
  if [ "$(basename "$bin")" = nats-server ]; then
    proto=nats
    taskset -c 0 "$bin" -a 127.0.0.1 -p -1 >"$out" 2>&1 &
  else
    # shellcheck disable=SC2086
    taskset -c 0 "$bin" --port 0 --log-dir "$WORK" --log-level warn --idle-timeout 600 ${SERVER_ARGS:-} $extra >"$out" 2>&1 &
  fi
  PID=$!
  for _ in $(seq 100); do
    port=$(sed -n -e 's/^Server listening on .*:\([0-9][0-9]*\)$/\1/p' \
                  -e 's/.*Listening for client connections on .*:\([0-9][0-9]*\)$/\1/p' "$out" | head -1)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "server $bin did not start" >&2; cat "$out" >&2; exit 1; }
  local json
  # shellcheck disable=SC2086
  json=$(taskset -c 1 "$BENCH" --proto "$proto" --port "$port" --server-pid "$PID" --json --warmup "$WARMUP" \
           --duration "$DURATION" "$@" $side 2>>"$WORK/bench.log") || true
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  sleep 0.3
  echo "$(field msgs_per_s "$json") $(field p50_us "$json") $(field p99_us "$json") $(field msgs_per_server_cpu_s "$json") $(field server_cpu_s "$json") $(field driver_cpu_s "$json")"
}

# run_checked BINARY EXTRA_ARGS BENCH_FLAGS...: run_one, repeated while SATURATED=1 and a process was starved
run_checked() {
  local line tries=0
  while :; do
    line=$(run_one "$@")
    read -r _ _ _ _ scpu dcpu <<<"$line"
    if [ "${SATURATED:-0}" != 1 ] || awk -v s="$scpu" -v d="$dcpu" -v t="$DURATION" 'BEGIN { exit !(s >= 0.9 * t && d >= 0.9 * t) }'; then
      echo "$line"; return
    fi
    tries=$((tries + 1))
    echo "  (discarded a run of $1: server CPU ${scpu}s, driver CPU ${dcpu}s of ${DURATION}s)" >&2
    [ "$tries" -ge 5 ] && { echo "$line"; return; }
  done
}

ratios=()
for i in $(seq "$PAIRS"); do
  read -r a a50 a99 acpu _ _ < <(run_checked "$A" "${A_ARGS:-}" "${A_BENCH:-}" "$@")
  read -r b b50 b99 bcpu _ _ < <(run_checked "$B" "${B_ARGS:-}" "${B_BENCH:-}" "$@")
  r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
  ratios+=("$r")
  printf 'pair %d: A %s msgs/s (p50 %s p99 %s us, %s per server CPU s)  B %s msgs/s (p50 %s p99 %s us, %s per server CPU s)  B/A %s\n' \
    "$i" "$a" "$a50" "$a99" "$acpu" "$b" "$b50" "$b99" "$bcpu" "$r"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median B/A: %.3f over %d pairs\n", m, NR }'
