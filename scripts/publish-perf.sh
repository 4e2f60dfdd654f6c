#!/usr/bin/env bash
# Puts what docs/PERFORMANCE.md cites from one bench suite run into docs/perf/: its three charts
# (redrawn from the run's suite.jsonl by scripts/plot.sh when gnuplot is installed) and its
# summary.txt. The run directories themselves stay out of git (build/results/ by default).
#   REPEAT=3 scripts/bench.sh          # what the page reports; ends with "results: RUN_DIR"
#   scripts/publish-perf.sh RUN_DIR
# then bring docs/PERFORMANCE.md's figures and the run it names up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: scripts/publish-perf.sh RUN_DIR (a directory written by scripts/bench.sh)}
dir=${dir%/}
charts=(latency_vs_rate.png throughput_vs_nodes.png switchboard_vs_nats.png)
[ -f "$dir/suite.jsonl" ] && [ -f "$dir/summary.txt" ] || {
  echo "$dir: not a bench run (no suite.jsonl and summary.txt)" >&2
  exit 1
}
scripts/plot.sh "$dir"
for c in "${charts[@]}"; do
  [ -f "$dir/$c" ] || { echo "$dir/$c missing: install gnuplot-nox and run again" >&2; exit 1; }
done
mkdir -p docs/perf
for f in "${charts[@]}" summary.txt; do cp "$dir/$f" docs/perf/; done
echo "docs/perf/: charts and summary of $(basename "$dir"); now update docs/PERFORMANCE.md to match"
