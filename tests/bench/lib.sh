# Shared by the benchmark scripts (sourced, after `root` is set): the binary, a work folder removed at the
# end (with the server the script started, if any), a free port, wrk runs over a list of paths.
bin=${CATCHMENT_BIN:-$root/build/catchment}
shared=${CATCHMENT_SHARED_DATA:-$root/../shared/data}
[ -x "$bin" ] || { echo "build first: $bin" >&2; exit 2; }
work=$(mktemp -d)
serve_pid=""
bench_cleanup_extra() { :; }  # a script may redefine it (called first)
bench_cleanup() {
  bench_cleanup_extra
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap bench_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# require_england SCRIPT: exits 0 with a note when ../shared/data/england is absent.
require_england() {
  [ -d "$shared/england" ] || { echo "$1: no $shared/england; nothing to measure"; exit 0; }
}

# wrk's latency ("812.00us", "1.20ms", "1.01s") in milliseconds.
to_ms() {
  case $1 in
    *us) echo "scale=3; ${1%us} / 1000" | bc ;;
    *ms) echo "${1%ms}" ;;
    *s) echo "scale=3; ${1%s} * 1000" | bc ;;
    *) echo "$1" ;;
  esac
}

# wrk_paths PATHS_FILE SECONDS URL: wrk -t2 -c64 cycling through the paths (gzip accepted); prints
# "requests/s p50_ms p99_ms", failing on any non-2xx answer.
wrk_paths() {
  local lua="$work/paths-$$.lua" out
  cat >"$lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Accept-Encoding"] = "gzip" })
end
LUA
  out=$(BENCH_PATHS="$1" timeout $(($2 + 30)) wrk -t2 -c64 -d"$2s" --latency -s "$lua" "$3")
  if echo "$out" | grep -q 'Non-2xx'; then echo "$out" >&2; echo "non-2xx responses" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/^Requests\/sec:/ {print $2}') $(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')") $(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")"
}

# serve_until_ready LOG SERVE_ARGS...: `catchment serve SERVE_ARGS --port P` in the background, its stderr
# in LOG; sets serve_pid, port and ready_s (seconds until /ready answered 200).
serve_until_ready() {
  local log=$1 started
  shift
  port=$(free_port)
  started=$(date +%s.%N)
  "$bin" serve "$@" --port "$port" >/dev/null 2>"$log" &
  serve_pid=$!
  until curl -sf "http://127.0.0.1:$port/ready" >/dev/null; do
    kill -0 "$serve_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  ready_s=$(echo "$(date +%s.%N) - $started" | bc)
}
