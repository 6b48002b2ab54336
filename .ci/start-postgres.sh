#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's package) on loopback for the collector tests and prints
# the DATABASE_URL to use. Idempotent: installs only when missing.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PORT=${PGPORT:-54329}
DATA=$(mktemp -d /tmp/edgewise-pg.XXXXXX)
chown postgres "$DATA"
su postgres -c "$PGBIN/initdb -D $DATA -A trust -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $DATA -l $DATA/server.log -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1' -w start" >/dev/null
echo "$DATA" > /tmp/edgewise-pg.current  # for .ci/stop-postgres.sh
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
