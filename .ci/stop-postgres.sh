#!/usr/bin/env bash
# Stops the PostgreSQL that .ci/start-postgres.sh started, so CI can run again on the same machine.
set -euo pipefail
[ -f /tmp/edgewise-pg.current ] || exit 0
DATA=$(cat /tmp/edgewise-pg.current)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
su postgres -c "$PGBIN/pg_ctl -D $DATA -m fast stop" >/dev/null 2>&1 || true
rm -rf "$DATA" /tmp/edgewise-pg.current
