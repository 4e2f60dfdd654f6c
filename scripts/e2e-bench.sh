#!/usr/bin/env bash
# Client throughput with and without --e2e, in alternating pairs in one sitting: one scripting-mode
# sender streams N messages of SIZE bytes to one --listen receiver through the server; the rate is N
# over the time from the sender's start until the receiver has printed its N-th line. Also prints
# each client's CPU seconds (user+sys) per run.
#   scripts/e2e-bench.sh [PAIRS]      (run it through /work/quiet.sh on the shared machine)
# Environment: N (100000), SIZE (1024), CLIENT, SERVER (default build/switchboard-{client,server}).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/server-port.sh
PAIRS=${1:-3} N=${N:-100000} SIZE=${SIZE:-1024}
CLIENT=${CLIENT:-build/switchboard-client} SERVER=${SERVER:-build/switchboard-server}
WORK=$(mktemp -d)
SPID=""
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT

"$SERVER" --port 0 --log-dir "$WORK" --log-level warn --idle-timeout 600 >"$WORK/server.out" 2>&1 &
SPID=$!
PORT=$(server_port "$WORK/server.out") || { echo "the server did not start" >&2; exit 1; }

TEXT=$(head -c "$SIZE" /dev/zero | tr '\0' 'x')
awk -v n="$N" -v t="$TEXT" 'BEGIN { for (i = 0; i < n; i++) print "rx " t }' >"$WORK/input"

cpu_of() {  # utime + stime of a live process, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}

# run_one MODE (plain|e2e): prints the rate and each client's CPU seconds
run_one() {
  local mode=$1 rx_flags=() tx_flags=()
  if [ "$mode" = e2e ]; then
    rx_flags=(--e2e --key-file "$WORK/rx.key")
    tx_flags=(--e2e --key-file "$WORK/tx.key")
  fi
  rm -f "$WORK/rx.fifo"
  mkfifo "$WORK/rx.fifo"
  : >"$WORK/rx.err"
  "$CLIENT" --port "$PORT" --id rx "${rx_flags[@]}" --listen --log-dir "$WORK" >"$WORK/rx.fifo" 2>"$WORK/rx.err" &
  local rx=$!
  head -n "$N" <"$WORK/rx.fifo" >/dev/null &
  local counter=$!
  local ready="Connected"
  [ "$mode" = e2e ] && ready="encryption is on"
  for _ in $(seq 250); do grep -q "$ready" "$WORK/rx.err" && break; sleep 0.02; done
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f "%U %S" -o "$WORK/tx.time" "$CLIENT" --port "$PORT" --id tx "${tx_flags[@]}" --log-dir "$WORK" \
    <"$WORK/input" 2>"$WORK/tx.err" &
  local tx=$!
  wait "$counter"
  t1=$(date +%s%N)
  local rx_cpu
  rx_cpu=$(cpu_of "$rx")
  kill "$rx"
  wait "$rx" || true
  wait "$tx" || true
  awk -v mode="$mode" -v n="$N" -v ns=$((t1 - t0)) -v tx="$(cat "$WORK/tx.time")" -v rx="$rx_cpu" \
    'BEGIN { split(tx, a, " ");
             printf "%-5s %9.0f msgs/s  sender cpu %.2f s  receiver cpu %.2f s\n", mode, n / (ns / 1e9), a[1] + a[2], rx }'
}

echo "N=$N SIZE=$SIZE, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$PAIRS"); do
  run_one plain
  run_one e2e
done
