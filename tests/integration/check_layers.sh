#!/usr/bin/env bash
# The layering rule: server -> {tilesets, data} -> geo, and inside server cli -> api -> {service, http}.
# geo/ includes no GDAL, Beast or JSON header; tilesets/ no GDAL or Beast; data/ no Beast; server/http
# knows no domain; server/service no transport; no layer includes one above it.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
status=0
check() {  # folder, forbidden include pattern
  local hits
  hits=$(grep -rnE "#include *[<\"]($2)" "$root/$1" --include='*.hpp' --include='*.cpp' --include='*.h' 2>/dev/null)
  if [ -n "$hits" ]; then echo "$1/ includes what its layer must not:"; echo "$hits"; status=1; fi
}
check geo 'gdal|ogr|cpl_|boost/beast|boost/json|nlohmann|toml|data/|tilesets/|server/'
check tilesets 'gdal|ogr|cpl_|boost/beast|data/|server/'
check data 'boost/beast|tilesets/|server/'
check server/http 'gdal|ogr|cpl_|geos|proj\.h|geo/|data/|tilesets/|server/(service|api|cli)/'
check server/service 'boost/beast|boost/asio|server/(http|api|cli)/'
check server/api 'server/cli/'
[ $status -eq 0 ] && echo "layering holds"
exit $status
