#!/usr/bin/env bash
# Three `catchment serve` replicas on one PostgreSQL/PostGIS plan store behind nginx (deploy/replicas.sh):
#  - a plan POSTed through nginx is listed and served (document, tiles) by every replica directly;
#  - its tiles through nginx are cached (immutable: the second request is a HIT);
#  - with one replica killed during a load of tiles and items through nginx, every GET is answered 200
#    (nginx retries elsewhere) and no stored plan is lost;
#  - the plan downloaded through nginx opens in GDAL and in QGIS with its styles (tests/qgis/check_gpkg.py).
#   replicas.sh CATCHMENT_BINARY SOURCE_DIR [PYTHON_WITH_QGIS]
set -euo pipefail
binary=$1
source_dir=$2
python=${3:-/usr/bin/python3}
work=$(mktemp -d)
cleanup() {
  CATCHMENT=$binary "$source_dir/deploy/replicas.sh" stop "$work/deploy" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in "$work"/deploy/replica-*.log "$work/deploy/nginx/error.log"; do [ -f "$log" ] && { echo "--- $log" >&2; tail -5 "$log" >&2; }; done
  exit 1
}
status() { curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$@"; }

CATCHMENT=$binary "$source_dir/deploy/replicas.sh" start "$work/deploy" 3 -- --prerender-maxzoom -1 >/dev/null || fail "the replicas did not start"
# shellcheck disable=SC1091
. "$work/deploy/env"
read -r -a replicas <<<"$REPLICA_URLS"
[ "${#replicas[@]}" = 3 ] || fail "expected 3 replicas, got ${#replicas[@]}"

# A plan made through nginx: listed and served by every replica directly.
created=$(curl -s --max-time 120 -X POST "$NGINX_URL/plans" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"construction_runs":1,"title":"made through nginx","excluded_practices":["F84012"]}' -w '\n%{http_code}')
[ "$(tail -n1 <<<"$created")" = 201 ] || fail "POST /plans through nginx: $created"
id=$(head -n1 <<<"$created" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for replica in "${replicas[@]}"; do
  curl -s "$replica/plans" | python3 -c "import json,sys; ids=[p['id'] for p in json.load(sys.stdin)['plans']]; sys.exit(0 if '$id' in ids else 1)" ||
    fail "$replica does not list $id"
  [ "$(status "$replica/plans/$id")" = 200 ] || fail "$replica does not serve $id"
  [ "$(status "$replica/plans/$id/tiles/12/2047/1361.mvt")" = 200 ] || fail "$replica does not serve $id's tiles"
done
echo "plan $id made through nginx is listed and served by all ${#replicas[@]} replicas"

# Its tiles through nginx: immutable, cached by nginx after the first request.
tile="$NGINX_URL/plans/$id/tiles/13/4093/2723.mvt"
curl -s -o /dev/null -D "$work/first" "$tile"
curl -s -o /dev/null -D "$work/second" "$tile"
grep -qi '^cache-control: public, max-age=31536000, immutable' "$work/first" || fail "plan tiles are not immutable: $(cat "$work/first")"
grep -qi '^x-cache-status: HIT' "$work/second" || fail "the second request of a plan tile was not a cache HIT: $(cat "$work/second")"
echo "plan tiles through nginx: immutable, second request a cache HIT"

# A load of tiles (several zooms, mostly not yet cached) and items with a bbox through nginx; one replica
# is killed part way. nginx retries the GETs elsewhere: every answer is a 200.
default_id=$(curl -s "$NGINX_URL/plans" | python3 -c 'import json,sys; print(json.load(sys.stdin)["plans"][0]["stored_id"])')
python3 - "$NGINX_URL" "$id" "$default_id" >"$work/urls" <<'PY'
import math, sys
base, plan, default = sys.argv[1:4]
def tile(lon, lat, z):
    n = 2 ** z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
urls = []
for i in range(240):
    lon, lat = -0.45 + 0.7 * (i % 40) / 40, 51.35 + 0.3 * (i // 40) / 6
    z = 10 + i % 5
    x, y = tile(lon, lat, z)
    urls.append(f"{base}/plans/{plan if i % 2 else default}/tiles/{z}/{x}/{y}.mvt")
    if i % 4 == 0:
        urls.append(f"{base}/collections/areas/items?limit=50&bbox={lon:.3f},{lat:.3f},{lon + 0.05:.3f},{lat + 0.03:.3f}")
print("\n".join(urls))
PY
(xargs -P 4 -n 1 curl -s --max-time 60 -o /dev/null -w '%{http_code}\n' <"$work/urls" >"$work/codes") &
load=$!
sleep 1
victim=$(cat "$work/deploy/replica-2.pid")
kill -9 "$victim"
wait "$load"
total=$(wc -l <"$work/codes")
ok=$(grep -c '^200$' "$work/codes" || true)
[ "$total" -ge 300 ] || fail "only $total answers to the load"
[ "$ok" = "$total" ] || fail "$((total - ok)) of $total GETs through nginx failed while a replica was killed: $(sort "$work/codes" | uniq -c | tr '\n' ' ')"
retried=$(grep -c 'upstream=[0-9.:]*, ' "$work/deploy/nginx/access.log" || true)
echo "replica 2 killed during $total GETs through nginx: all 200 ($retried retried on another replica)"

# No stored plan is lost: every replica still alive lists both.
for replica in "${replicas[0]}" "${replicas[2]}"; do
  listed=$(curl -s "$replica/plans" | python3 -c "import json,sys; print(sum(p['id'] in ('$id','$default_id') for p in json.load(sys.stdin)['plans'] if 'kind' in p))")
  [ "$listed" = 2 ] || fail "$replica lists $listed of the 2 stored plans"
done

# The download through nginx opens in GDAL and QGIS, styled.
curl -sf -o "$work/plan.gpkg" "$NGINX_URL/plans/$id.gpkg" || fail "download of $id.gpkg through nginx"
ogrinfo -ro -q "$work/plan.gpkg" networks >/dev/null || fail "GDAL cannot open the downloaded plan"
[ "$(ogrinfo -ro -q "$work/plan.gpkg" -sql "SELECT COUNT(*) AS n FROM layer_styles" | sed -n 's/.*n (Integer) = //p')" -ge 6 ] || fail "the download has no styles"
mkdir -p "$work/qgis"
QT_QPA_PLATFORM=offscreen "$python" "$source_dir/tests/qgis/check_gpkg.py" "$work/plan.gpkg" "$work/qgis" >"$work/qgis.log" 2>&1 ||
  { cat "$work/qgis.log" >&2; fail "QGIS did not open the downloaded plan with its styles"; }
echo "the plan downloaded through nginx opens in GDAL and QGIS with its styles"
