#!/bin/sh
# Starts `catchment serve` on the London sample on an ephemeral port, waits for /ready, then runs the
# viewer's browser test (tests/js/browser_viewer.mjs, headless Chromium) against it. The server is stopped
# on exit. Exit code: the browser test's (0 pass, 1 fail).
#   browser_viewer.sh CATCHMENT_BINARY SOURCE_DIR ARTIFACT_DIR viewer|plan
set -eu
binary=$1
source_dir=$2
artifacts=$3
mode=$4
mkdir -p "$artifacts"
log="$artifacts/serve-$mode.log"
"$binary" serve "$source_dir/data/sample" --constraint-field lad11cd --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT INT TERM

port=""
tries=0
while [ -z "$port" ]; do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log" | head -n 1)
  [ -n "$port" ] && break
  if ! kill -0 "$server" 2>/dev/null || [ "$tries" -ge 600 ]; then
    echo "catchment serve did not report its port:" >&2
    cat "$log" >&2
    exit 1
  fi
  tries=$((tries + 1))
  sleep 0.1
done
url="http://127.0.0.1:$port"
tries=0
until [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$url/ready")" = 200 ]; do
  if ! kill -0 "$server" 2>/dev/null || [ "$tries" -ge 1200 ]; then
    echo "catchment serve never became ready:" >&2
    cat "$log" >&2
    exit 1
  fi
  tries=$((tries + 1))
  sleep 0.1
done

status=0
timeout -k 5 400 node "$source_dir/tests/js/browser_viewer.mjs" "$url" "$artifacts" "$mode" || status=$?
exit "$status"
