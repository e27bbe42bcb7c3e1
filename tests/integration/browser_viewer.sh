#!/bin/sh
# Starts `catchment serve` on the London sample on an ephemeral port, waits for /ready, then runs the
# viewer's browser test (tests/js/browser_viewer.mjs, headless Chromium) against it. The server is stopped
# on exit. Exit code: the browser test's (0 pass, 1 fail). The mode `pages` runs tests/js/html_pages.mjs (the
# OGC HTML pages: Nu Html Checker and Chromium) instead.
#   browser_viewer.sh CATCHMENT_BINARY SOURCE_DIR ARTIFACT_DIR viewer|plan|whatif|pages|england
set -eu
binary=$1
source_dir=$2
artifacts=$3
mode=$4
mkdir -p "$artifacts"
log="$artifacts/serve-$mode.log"
# The mode `england` serves all England (../shared/data, through data/descriptions/england-shared.toml).
dataset="$source_dir/data/sample" constraint=lad11cd
[ "$mode" = england ] && dataset="$source_dir/data/descriptions/england-shared.toml" constraint=lad_code
"$binary" serve "$dataset" --constraint-field "$constraint" --port 0 --store none >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT INT TERM

# Polls `check` every 0.1 s until it succeeds; fails with `what` and the server log when the server
# exits or `limit` polls pass.
wait_until() {
  local what=$1 limit=$2 check=$3 tries=0
  until eval "$check"; do
    if ! kill -0 "$server" 2>/dev/null || [ "$tries" -ge "$limit" ]; then
      echo "catchment serve $what:" >&2
      cat "$log" >&2
      exit 1
    fi
    tries=$((tries + 1))
    sleep 0.1
  done
}
port=""
wait_until "did not report its port" 600 \
  'port=$(sed -n "s|.*listening on http://127\\.0\\.0\\.1:\\([0-9]*\\).*|\\1|p" "$log" | head -n 1); [ -n "$port" ]'
url="http://127.0.0.1:$port"
wait_until "never became ready" 1200 '[ "$(curl -s --max-time 5 -o /dev/null -w "%{http_code}" "$url/ready")" = 200 ]'

status=0
script=browser_viewer.mjs
[ "$mode" = pages ] && script=html_pages.mjs
timeout -k 5 400 node "$source_dir/tests/js/$script" "$url" "$artifacts" "$mode" || status=$?
exit "$status"
