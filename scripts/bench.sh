#!/usr/bin/env bash
# The standard benchmark suite behind `make bench`: builds, starts switchboard-server on a free port
# pinned to core 0 (the load driver runs on core 1), runs the workloads of docs/PERFORMANCE.md, the
# same workloads against nats-server when it is installed, and the micro-benchmarks; writes JSON
# under ${RESULTS_DIR:-$O/results}/<timestamp>/ and prints a summary table (medians over REPEAT
# runs). Runs are data, not source: they stay out of git. scripts/publish-perf.sh copies the
# charts and summary of the run docs/PERFORMANCE.md cites into docs/perf/.
#
# Environment: O=build dir (default build)   REPEAT=runs per workload (default 1)
#              DURATION=measured seconds per run (default 3)   NATS=0 skips nats-server
#              MICRO=0 skips the micro-benchmarks   SWEEPS=0 skips the rate and node-count sweeps
#              RESULTS_DIR=where run directories go (default $O/results)
set -euo pipefail
cd "$(dirname "$0")/.."

O=${O:-build}
REPEAT=${REPEAT:-1}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-0.5}
NATS=${NATS:-1}
MICRO=${MICRO:-1}
SWEEPS=${SWEEPS:-1}
RESULTS=${RESULTS_DIR:-$O/results}/$(date +%Y%m%d-%H%M%S)
BENCH=$O/switchboard-bench
SERVER=$O/switchboard-server
MICRO_BIN=$O/switchboard-micro
FLOOR_BIN=$O/switchboard-relay-floor

log() { printf '%s\n' "$*" >&2; }
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2"; }

# summary FILE: one row per workload and server, medians over the runs, losses summed.
summary() {
  awk "$(<scripts/suite.awk)"'
    {
      k = f("name") "/" f("server"); gsub("\"", "", k)
      if (!(k in runs)) order[++n] = k
      runs[k]++
      for (i = 1; i <= nf; i++) vals[k, i] = vals[k, i] " " f(fields[i])
      lost[k] += f("lost") + f("duplicated") + f("reordered")
    }
    BEGIN {
      nf = split("msgs_per_s p50_us p99_us p999_us connect_s server_rss_per_node_bytes msgs_per_server_cpu_s", fields, " ")
      printf "%-24s %4s %10s %10s %9s %9s %9s %9s %8s %6s\n", "workload/server", "runs", "msgs/s", "msgs/cpu-s", "p50 us", "p99 us", "p99.9 us", "connect s", "B/node", "lost"
    }
    END {
      for (o = 1; o <= n; o++) {
        k = order[o]
        printf "%-24s %4d %10.0f %10.0f %9.1f %9.1f %9.1f %9.3f %8.0f %6d\n", k, runs[k], median(vals[k, 1]), median(vals[k, 7]),
               median(vals[k, 2]), median(vals[k, 3]), median(vals[k, 4]), median(vals[k, 5]), median(vals[k, 6]), lost[k]
      }
    }' "$1"
}

if [ "${1:-}" = --summary ]; then summary "$2"; exit 0; fi

# Build what is missing or stale (`make bench` has already done this; a direct call may not have).
make --no-print-directory -s O="$O" JOBS="${JOBS:-2}" "$SERVER" "$BENCH" "$FLOOR_BIN" >&2
if [ "$MICRO" = 1 ] && ls bench/micro/*.cpp >/dev/null 2>&1; then
  make --no-print-directory -s O="$O" JOBS="${JOBS:-2}" "$MICRO_BIN" >&2 || { log "micro-benchmarks do not build; skipped"; MICRO=0; }
fi

PIN_SERVER=(); PIN_DRIVER=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  PIN_SERVER=(taskset -c 0); PIN_DRIVER=(taskset -c 1)
fi

mkdir -p "$RESULTS"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

{
  echo "date: $(date -Is)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "kernel: $(uname -r)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "pinning: server ${PIN_SERVER[*]:-none}, driver ${PIN_DRIVER[*]:-none}"
  command -v nats-server >/dev/null && echo "nats-server: $(nats-server --version)"
} >"$RESULTS/machine.txt"

# start_server switchboard|nats: sets SERVER_PID and PORT.
start_server() {
  local kind=$1 out="$WORK/$1.out"
  : >"$out"
  if [ "$kind" = switchboard ]; then
    "${PIN_SERVER[@]}" "$SERVER" --port 0 --log-dir "$WORK" --log-level warn --idle-timeout 600 >"$out" 2>&1 &
  else
    "${PIN_SERVER[@]}" nats-server -a 127.0.0.1 -p -1 >"$out" 2>&1 &
  fi
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 100); do
    PORT=$(sed -n -e 's/^Server listening on .*:\([0-9][0-9]*\)$/\1/p' \
                  -e 's/.*Listening for client connections on .*:\([0-9][0-9]*\)$/\1/p' "$out" | head -1)
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  log "$kind did not start:"; cat "$out" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  sleep 0.2  # let the kernel retire the closed connections before the next server starts
}

# run NAME SERVERKIND bench-flags...: one JSON line per run appended to suite.jsonl.
FAILED=0
run() {
  local name=$1 kind=$2; shift 2
  local proto=switchboard
  [ "$kind" = nats ] && proto=nats
  for r in $(seq "$REPEAT"); do
    local json rc=0
    # A fresh server per run: runs stay independent, and the RSS growth per node is measured from
    # a server that has never held connections (a reused one keeps its grown tables).
    start_server "$kind"
    json=$("${PIN_DRIVER[@]}" "$BENCH" --proto "$proto" --port "$PORT" --server-pid "$SERVER_PID" --json \
             --warmup "$WARMUP" --duration "$DURATION" "$@" 2>>"$RESULTS/bench.log") || rc=$?
    if [ -z "$json" ]; then
      log "  $name/$kind run $r: no result (exit $rc), see $RESULTS/bench.log"; FAILED=1; stop_server; continue
    fi
    [ "$rc" -ne 0 ] && { log "  $name/$kind run $r: exit $rc (loss, errors or failure: see bench.log)"; FAILED=1; }
    printf '%s\n' "${json/#\{/{\"name\":\"$name\",\"server\":\"$kind\",\"run\":$r,}" >>"$RESULTS/suite.jsonl"
    log "  $name/$kind run $r: $(field msgs_per_s "$json") msgs/s, p99 $(field p99_us "$json") us"
    stop_server
  done
}

suite() {
  local kind=$1
  echo "== $kind" >>"$RESULTS/bench.log"
  log "$kind:"
  run throughput "$kind" --nodes 1000 --pattern random --window 64
  run latency "$kind" --nodes 1000 --pattern ring --window 1 --rate 20000
  # The same with a driver that never sleeps: its own wakeups no longer count as latency.
  run latency-poll "$kind" --nodes 1000 --pattern ring --window 1 --rate 20000 --busy-poll
  run scale "$kind" --nodes 10000 --pattern random --window 4
  run fanin "$kind" --nodes 1000 --pattern fanin --window 16
  run broadcast "$kind" --nodes 1000 --pattern broadcast --senders 10 --window 4
  if [ "$SWEEPS" = 1 ] && [ "$kind" = switchboard ]; then
    for rate in 50000 100000 200000 400000; do
      run "rate-$rate" "$kind" --nodes 1000 --pattern random --window 64 --rate "$rate"
    done
    # Throughput against node count at the scale run's window (4), so the points compare.
    for nodes in 100 1000 3000; do
      run "nodes-$nodes" "$kind" --nodes "$nodes" --pattern random --window 4
    done
  fi
}

suite switchboard

if [ "$NATS" = 1 ]; then
  if command -v nats-server >/dev/null; then
    suite nats
  else
    log "nats-server not installed (apt-get install nats-server): comparison skipped"
  fi
fi

# The machine's latency floor for the latency workloads: a relay with no parsing over the same
# 1,000 loopback connections at the same rate (bench/floor/relay_floor.cpp; pins itself).
if [ -x "$FLOOR_BIN" ]; then
  log "latency floor (raw relay, 1000 connections, 20000 msgs/s):"
  for r in $(seq "$REPEAT"); do
    line=$("$FLOOR_BIN" --conns 1000 --rate 20000 --duration "$DURATION" --warmup "$WARMUP") || FAILED=1
    printf '%s\n' "$line" >>"$RESULTS/floor.txt"
    log "  run $r: $line"
  done
fi

# The throughput floor beside the scale run: frames to random targets over the same 10,000
# loopback connections at the same window, relayed with no parsing (bench/floor/random_floor.h).
if [ -x "$FLOOR_BIN" ]; then
  log "throughput floor (raw relay, 10000 connections, random targets, window 4):"
  for r in $(seq "$REPEAT"); do
    line=$("$FLOOR_BIN" --mode random --conns 10000 --window 4 --size 64 --duration "$DURATION" \
             --warmup "$WARMUP") || FAILED=1
    printf '%s\n' "$line" >>"$RESULTS/floor-10k.txt"
    log "  floor-10k run $r: $line"
  done
fi

if [ "$MICRO" = 1 ] && [ -x "$MICRO_BIN" ]; then
  log "micro-benchmarks:"
  "${PIN_DRIVER[@]}" "$MICRO_BIN" --benchmark_min_time=0.05 --benchmark_format=console \
    --benchmark_out="$RESULTS/micro.json" --benchmark_out_format=json >"$RESULTS/micro.txt" 2>&1 || FAILED=1
  log "  $(grep -c '"name"' "$RESULTS/micro.json" 2>/dev/null || echo 0) results in $RESULTS/micro.json"
fi

summary "$RESULTS/suite.jsonl" | tee "$RESULTS/summary.txt"
echo "results: $RESULTS"
exit "$FAILED"
