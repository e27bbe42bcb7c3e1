#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster in a folder, listening on a Unix socket in that folder only
# (no TCP port is taken), for the plan store's tests and for trying replicas on one machine.
#   deploy/pg-cluster.sh start DIR [PORT]   creates (unless DIR holds one) and starts it; prints the store location
#                                          "PG:host=DIR port=PORT dbname=catchment user=postgres"
#   deploy/pg-cluster.sh stop DIR           stops it (DIR stays; remove it yourself)
# Needs Debian's postgresql-15-postgis-3. initdb refuses to run as root, so as root the cluster runs as
# the `postgres` user (runuser).
set -euo pipefail
command=${1:-}
dir=${2:-}
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "$0: no PostgreSQL server (apt install postgresql-15-postgis-3)" >&2; exit 2; }
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)

case "$command" in
  start)
    port=${3:-5432}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$dir"
      # The postgres user must reach the folder through its parents (mktemp makes them private).
      parent=$dir
      while [ "$parent" != "/" ]; do chmod o+x "$parent" 2>/dev/null || true; parent=$(dirname "$parent"); done
    fi
    fresh=false
    if [ ! -f "$dir/data/PG_VERSION" ]; then  # (a cluster stopped before is started again as it is)
      fresh=true
      "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    if $fresh; then
      "$bin/createdb" -h "$dir" -p "$port" -U postgres catchment
      "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d catchment -c "CREATE EXTENSION postgis" >/dev/null
    fi
    echo "PG:host=$dir port=$port dbname=catchment user=postgres"
    ;;
  stop)
    dir=$(cd "$dir" && pwd)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    ;;
  *)
    echo "usage: $0 start DIR [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
