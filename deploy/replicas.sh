#!/usr/bin/env bash
# Several catchment replicas behind nginx on one machine, sharing a throwaway PostgreSQL/PostGIS plan
# store: to try a scaled-out deployment, and for the tests (tests/integration/replicas.sh).
#   deploy/replicas.sh start DIR [REPLICAS] [-- SERVE_FLAGS...]
#       starts a PostgreSQL cluster in DIR/pg (deploy/pg-cluster.sh), REPLICAS (3) x `catchment serve` of
#       the bundled sample on loopback ports with --store PG:..., and nginx (deploy/nginx.conf.in) in
#       front; waits until all are ready. The first replica plans and stores the served plan; the others
#       start from it. Writes DIR/env (NGINX_URL, REPLICA_URLS, STORE, TOKEN) and prints it.
#   deploy/replicas.sh stop DIR
# Environment: CATCHMENT (the binary; default build/catchment), DATASET (default data/sample).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
command=${1:-}
dir=${2:-}
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR [REPLICAS] [-- SERVE_FLAGS...] | stop DIR" >&2; exit 2; }
binary=${CATCHMENT:-$root/build/catchment}
dataset=${DATASET:-$root/data/sample}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() {  # URL LOG PID
  for _ in $(seq 1200); do
    kill -0 "$3" 2>/dev/null || { echo "$0: the process for $1 exited:" >&2; tail -20 "$2" >&2; exit 1; }
    [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$1/ready")" = 200 ] && return 0
    sleep 0.1
  done
  echo "$0: $1 never became ready:" >&2
  tail -20 "$2" >&2
  exit 1
}

case "$command" in
  start)
    replicas=${3:-3}
    shift $(( $# >= 3 ? 3 : $# ))
    [ "${1:-}" = "--" ] && shift
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    store=$("$here/pg-cluster.sh" start "$dir/pg")
    token=replicas-$(date +%s)
    urls=()
    for i in $(seq "$replicas"); do
      port=$(free_port)
      "$binary" serve "$dataset" --constraint-field lad11cd --host 127.0.0.1 --port "$port" --store "$store" --token "$token" \
        --access-log off "$@" >"$dir/replica-$i.log" 2>&1 &
      echo $! >"$dir/replica-$i.pid"
      urls+=("http://127.0.0.1:$port")
      wait_ready "${urls[-1]}" "$dir/replica-$i.log" "$(cat "$dir/replica-$i.pid")"
      if [ "$i" = 1 ]; then  # the others start from the plan the first one stores
        for _ in $(seq 600); do
          curl -s "${urls[0]}/plans" | grep -q '"kind":"default"' && break
          sleep 0.1
        done
      fi
    done
    mkdir -p "$dir/nginx"
    nginx_port=$(free_port)
    servers=""
    for url in "${urls[@]}"; do servers+="    server ${url#http://} max_fails=1 fail_timeout=5s;"$'\n'; done
    user=""
    [ "$(id -u)" -eq 0 ] && user="user root;"
    WORK="$dir/nginx" LISTEN="127.0.0.1:$nginx_port" SERVERS="$servers" USER_LINE="$user" python3 - "$here/nginx.conf.in" >"$dir/nginx/nginx.conf" <<'PY'
import os, sys
values = {"@WORK@": os.environ["WORK"], "@LISTEN@": os.environ["LISTEN"],
          "@SERVERS@": os.environ["SERVERS"].rstrip("\n"), "@USER@": os.environ["USER_LINE"]}
for line in open(sys.argv[1]):
    if not line.lstrip().startswith("#"):  # (the comments name the placeholders)
        for name, value in values.items():
            line = line.replace(name, value)
    sys.stdout.write(line)
PY
    nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -g 'daemon off;' >"$dir/nginx/stdout.log" 2>&1 &
    echo $! >"$dir/nginx.pid"
    wait_ready "http://127.0.0.1:$nginx_port" "$dir/nginx/stdout.log" "$(cat "$dir/nginx.pid")"
    {
      echo "NGINX_URL=http://127.0.0.1:$nginx_port"
      echo "REPLICA_URLS=\"${urls[*]}\""
      echo "STORE=\"$store\""
      echo "TOKEN=$token"
    } >"$dir/env"
    cat "$dir/env"
    ;;
  stop)
    dir=$(cd "$dir" && pwd)
    for pidfile in "$dir"/nginx.pid "$dir"/replica-*.pid; do
      [ -f "$pidfile" ] || continue
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    done
    sleep 0.5
    "$here/pg-cluster.sh" stop "$dir/pg"
    ;;
  *)
    echo "usage: $0 start DIR [REPLICAS] [-- SERVE_FLAGS...] | stop DIR" >&2
    exit 2
    ;;
esac
