#!/usr/bin/env bash
# `catchment serve` behind a reverse proxy (nginx, Debian nginx-light) that publishes it on another port
# under /catchment/ and says so in X-Forwarded-Host, -Proto and -Prefix. Through the proxy only:
#  - GDAL pages every collection (OAPIF driver, limit=1000 pages, following the `next` links);
#  - QGIS (tests/qgis/check_server.py) opens the collections as OAPIF layers and the vector tiles with
#    the style URL, and renders them.
# Then every request catchment answered must have come through nginx: had any client been handed a URL
# of catchment's own address, it would show in catchment's log and not in nginx's.
#   proxy_clients.sh CATCHMENT_BINARY SOURCE_DIR PYTHON_WITH_QGIS
set -euo pipefail
binary=$1
source_dir=$2
python=${3:-/usr/bin/python3}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*" >&2; echo "--- catchment log (tail)" >&2; tail -20 "$work/serve.log" >&2; exit 1; }
# catchment writes its access log in batches: a marked request through the proxy, then wait (bounded) until
# catchment has logged it, so that every request before it is in the log too.
marks=0
flush_access_log() {
  marks=$((marks + 1))
  curl -s -o /dev/null "$public/health?mark=$marks"
  for _ in $(seq 100); do
    grep -q "/health?mark=$marks" "$work/serve.log" && return 0
    sleep 0.05
  done
  fail "catchment never logged the marked request $marks"
}

"$binary" serve "$source_dir/data/sample" --constraint-field lad11cd --port 0 --prerender-maxzoom -1 --store none >"$work/serve.log" 2>&1 &
pids+=($!)
port=""
for _ in $(seq 600); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/serve.log" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "catchment serve did not report its port"
for _ in $(seq 1200); do
  [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready")" = 200 ] && break
  sleep 0.1
done

proxy_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
  log_format requests '\$request_method \$request_uri';
  access_log $work/nginx/access.log requests;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$proxy_port;
    location /catchment/ {
      proxy_pass http://127.0.0.1:$port/;
      proxy_http_version 1.1;
      proxy_set_header Host internal-catchment:$port;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Prefix /catchment;
    }
  }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' >"$work/nginx/stdout.log" 2>&1 &
pids+=($!)
public="http://127.0.0.1:$proxy_port/catchment"
for _ in $(seq 100); do
  [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$public/health")" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$public/health")" = 200 ] || fail "nginx does not forward to catchment"
flush_access_log
before=$(wc -l <"$work/serve.log")
proxied_before=$(wc -l <"$work/nginx/access.log")

# GDAL pages each collection through the proxy: as many features as the server says it has.
for collection in practices areas catchments networks network_borders gaps; do
  matched=$(curl -s "$public/collections/$collection/items?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["numberMatched"])')
  count=$(ogrinfo -ro -geom=NO -oo PAGE_SIZE=1000 "OAPIF:$public" "$collection" 2>/dev/null | grep -c '^OGRFeature(' || true)
  [ "$count" = "$matched" ] || fail "GDAL read $count $collection through the proxy, the server says $matched"
  echo "GDAL through the proxy: $collection $count features"
done
# QGIS: OAPIF layers, vector tiles with the style URL, renders.
QT_QPA_PLATFORM=offscreen timeout -k 5 400 "$python" "$source_dir/tests/qgis/check_server.py" "$public" "$work" >"$work/qgis.log" 2>&1 ||
  { cat "$work/qgis.log" >&2; fail "QGIS through the proxy"; }
grep -q "all checks passed" "$work/qgis.log" || { cat "$work/qgis.log" >&2; fail "QGIS through the proxy"; }
echo "QGIS through the proxy: all checks passed"

flush_access_log
# The requests catchment answered (method and target) against those nginx passed on (minus /catchment).
tail -n +"$((before + 1))" "$work/serve.log" | awk '$1 ~ /^[A-Z]+$/ && $2 ~ /^\// { print $1, $2 }' | sort >"$work/served.txt"
tail -n +"$((proxied_before + 1))" "$work/nginx/access.log" | sed 's| /catchment/| /|' | sort >"$work/proxied.txt"
served=$(wc -l <"$work/served.txt")
echo "requests: $served answered by catchment, $(wc -l <"$work/proxied.txt") passed through nginx"
[ "$served" -gt 50 ] || fail "too few requests ($served) to mean anything"
direct=$(comm -23 "$work/served.txt" "$work/proxied.txt")
[ -z "$direct" ] || fail "requests that reached catchment without the proxy (a client was given catchment's own URL):
$direct"
echo "every URL the clients used pointed at the proxy"
