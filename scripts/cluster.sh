#!/usr/bin/env bash
# A local cluster for trying --cluster: three nats-server members clustered with JetStream, and
# three switchboard servers joined through them, all on loopback. State under build/cluster/.
#   scripts/cluster.sh up       start everything (build the server first: make)
#   scripts/cluster.sh status   what runs, and the ports
#   scripts/cluster.sh down     stop everything this script started (by PID)
# Ports: BASE (default 14222) +0..2 NATS clients, +10..12 NATS routes, and 2004+0..2 switchboard
# (SB_BASE); both overridable: BASE=15222 SB_BASE=3004 scripts/cluster.sh up
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${CLUSTER_DIR:-$ROOT/build/cluster}
BASE=${BASE:-14222}
SB_BASE=${SB_BASE:-2004}
SERVER=${SERVER:-$ROOT/build/switchboard-server}
NATS=${NATS:-$(command -v nats-server || echo /usr/sbin/nats-server)}

nats_urls() {
  local urls=() i
  for i in 0 1 2; do urls+=("nats://127.0.0.1:$((BASE + i))"); done
  (IFS=,; echo "${urls[*]}")
}

write_nats_config() {  # member index
  local i=$1 routes=() j
  for j in 0 1 2; do [ "$j" = "$i" ] || routes+=("nats-route://127.0.0.1:$((BASE + 10 + j))"); done
  mkdir -p "$DIR/nats$i"
  cat >"$DIR/nats$i.conf" <<CONF
server_name: sb-nats$i
listen: 127.0.0.1:$((BASE + i))
jetstream { store_dir: "$DIR/nats$i" }
cluster {
  name: sb-cluster
  listen: 127.0.0.1:$((BASE + 10 + i))
  routes: [ $(IFS=,; echo "${routes[*]}") ]
}
CONF
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

up() {
  [ -x "$SERVER" ] || { echo "cluster.sh: $SERVER not built (run make)" >&2; exit 1; }
  [ -x "$NATS" ] || { echo "cluster.sh: nats-server missing (run scripts/install-deps.sh)" >&2; exit 1; }
  mkdir -p "$DIR"
  local i
  for i in 0 1 2; do
    alive "$DIR/nats$i.pid" && continue
    write_nats_config "$i"
    "$NATS" -c "$DIR/nats$i.conf" >"$DIR/nats$i.log" 2>&1 &
    echo $! >"$DIR/nats$i.pid"
  done
  for i in 0 1 2; do
    alive "$DIR/sb$i.pid" && continue
    mkdir -p "$DIR/sb$i"
    "$SERVER" --port $((SB_BASE + i)) --log-dir "$DIR/sb$i" --server-name "sb$i" \
      --cluster "$(nats_urls)" >"$DIR/sb$i/stdout" 2>&1 &
    echo $! >"$DIR/sb$i.pid"
  done
  status
}

status() {
  local i
  for i in 0 1 2; do
    printf 'nats%d  %-8s nats://127.0.0.1:%d (routes %d)\n' "$i" \
      "$(alive "$DIR/nats$i.pid" && echo "pid $(cat "$DIR/nats$i.pid")" || echo down)" $((BASE + i)) $((BASE + 10 + i))
  done
  for i in 0 1 2; do
    printf 'sb%d    %-8s 127.0.0.1:%d (log %s/sb%d/server.log)\n' "$i" \
      "$(alive "$DIR/sb$i.pid" && echo "pid $(cat "$DIR/sb$i.pid")" || echo down)" $((SB_BASE + i)) "$DIR" "$i"
  done
}

down() {
  local f
  for f in "$DIR"/sb?.pid "$DIR"/nats?.pid; do
    [ -f "$f" ] || continue
    alive "$f" && kill "$(cat "$f")" && while kill -0 "$(cat "$f")" 2>/dev/null; do sleep 0.05; done
    rm -f "$f"
  done
  echo "cluster down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
