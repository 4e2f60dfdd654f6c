#!/usr/bin/env bash
# PNG charts from a bench suite run (scripts/bench.sh), written into the run's directory: latency
# percentiles against offered rate, throughput against node count, and switchboard vs nats-server
# per workload. Needs gnuplot (apt-get install gnuplot-nox); without it, says so and exits 0.
#   scripts/plot.sh [RUN_DIR]   (default: the newest run under ${RESULTS_DIR:-build/results}/)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-$(ls -d "${RESULTS_DIR:-build/results}"/*/ 2>/dev/null | sort | tail -1)}
DIR=${DIR%/}
SUITE="$DIR/suite.jsonl"
[ -f "$SUITE" ] || { echo "no $SUITE (run scripts/bench.sh first)" >&2; exit 1; }
if ! command -v gnuplot >/dev/null; then
  echo "gnuplot not installed (apt-get install gnuplot-nox): no charts" >&2
  exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# medians NAME_REGEX SERVER FIELD...: "name f1 f2 ..." per workload, medians over runs, in file order.
medians() {
  local re=$1 server=$2; shift 2
  awk -v re="$re" -v server="$server" -v fields="$*" "$(<scripts/suite.awk)"'
    BEGIN { nf = split(fields, fl, " ") }
    {
      name = f("name"); gsub("\"", "", name); srv = f("server"); gsub("\"", "", srv)
      if (srv != server || name !~ re) next
      if (!(name in seen)) { seen[name] = 1; order[++n] = name }
      for (i = 1; i <= nf; i++) v[name, i] = v[name, i] " " f(fl[i])
    }
    END {
      for (o = 1; o <= n; o++) {
        line = order[o]
        for (i = 1; i <= nf; i++) line = line " " median(v[order[o], i])
        print line
      }
    }' "$SUITE"
}

# Latency vs offered rate: the open-loop runs (the 20k/s latency run is ring, window 1; the sweep
# is random, window 64; all 1,000 nodes).
medians '^(latency|rate-[0-9]+)$' switchboard rate p50_us p99_us p999_us | sort -k2 -n >"$TMP/rate.dat"
# Throughput vs nodes, window 4 for every point.
medians '^(nodes-[0-9]+|scale)$' switchboard nodes msgs_per_s | sort -k2 -n >"$TMP/nodes.dat"
medians '^(nodes-[0-9]+|scale)$' nats nodes msgs_per_s | sort -k2 -n >"$TMP/nodes-nats.dat"
# Per-workload comparison.
medians '^(throughput|scale|fanin|broadcast)$' switchboard msgs_per_s >"$TMP/sb.dat"
medians '^(throughput|scale|fanin|broadcast)$' nats msgs_per_s >"$TMP/nats.dat"
join <(sort "$TMP/sb.dat") <(sort "$TMP/nats.dat") >"$TMP/compare.dat" 2>/dev/null || : >"$TMP/compare.dat"
[ -s "$TMP/compare.dat" ] || awk '{print $1, $2, 0}' "$TMP/sb.dat" >"$TMP/compare.dat"

gnuplot <<GP
set terminal pngcairo size 900,540 font ",10"
set grid
set key top left

set output "$DIR/latency_vs_rate.png"
set title "switchboard: delivery latency vs offered load (1,000 nodes, open loop, server on 1 core)"
set xlabel "offered load (msgs/s)"
set ylabel "latency (us)"
set logscale y
set format x "%.0s%c"
plot "$TMP/rate.dat" using 2:3 with linespoints lw 2 title "p50", \
     "" using 2:4 with linespoints lw 2 title "p99", \
     "" using 2:5 with linespoints lw 2 title "p99.9"
unset logscale y

set output "$DIR/throughput_vs_nodes.png"
set title "delivered msgs/s vs registered nodes (random targets, window 4, server on 1 core)"
set xlabel "nodes"
set ylabel "msgs/s"
set logscale x
set format y "%.1s%c"
set yrange [0:*]
plot "$TMP/nodes.dat" using 2:3 with linespoints lw 2 title "switchboard", \
     "$TMP/nodes-nats.dat" using 2:3 with linespoints lw 2 title "nats-server"
unset logscale x

set output "$DIR/switchboard_vs_nats.png"
set title "delivered msgs/s per workload, both servers pinned to one core"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xlabel ""
set xtics nomirror
plot "$TMP/compare.dat" using 2:xtic(1) title "switchboard", "" using 3 title "nats-server"
GP
echo "charts: $DIR/latency_vs_rate.png $DIR/throughput_vs_nodes.png $DIR/switchboard_vs_nats.png"
