#!/usr/bin/env bash
# Start a throw-away PostgreSQL cluster on loopback for the history-store tests, as the
# unprivileged `postgres` user, in a temporary folder. Source it:
#     source .ci/postgres.sh
# It exports COMPLY_TEST_POSTGRES_URL (the tests read it; without it they skip, saying why) and
# COMPLY_TEST_POSTGRES_DIR; `pg_ctl -D "$COMPLY_TEST_POSTGRES_DIR/data" stop` stops it.
set -euo pipefail

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
pg_bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)")"
if [ ! -x "$pg_bin/initdb" ]; then
  pg_bin="$(dirname "$(command -v initdb)")"
fi

port="${COMPLY_TEST_POSTGRES_PORT:-55432}"
# Another cluster (a second checkout's tests) may hold the port: take the next free one.
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
dir="$(mktemp -d /tmp/comply-pg.XXXXXX)"
password="comply-test-$RANDOM$RANDOM"
chmod 755 "$dir"

# initdb and postgres refuse to run as root: run them as the unprivileged user the Debian package
# creates (or as the current user when that is not root).
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
else
  as_pg=()
fi

printf '%s\n' "$password" >"$dir/pwfile"
chmod 644 "$dir/pwfile"
"${as_pg[@]}" "$pg_bin/initdb" -D "$dir/data" -U comply --pwfile="$dir/pwfile" \
  --auth=scram-sha-256 -E UTF8 --locale=C >/dev/null
rm -f "$dir/pwfile"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=200" \
  start >/dev/null

export COMPLY_TEST_POSTGRES_DIR="$dir"
comply_stop_postgres() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true
}
export COMPLY_TEST_POSTGRES_URL="postgresql://comply:$password@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
