#!/usr/bin/env bash
# Runs one streaming replica of a PostgreSQL server in the foreground (the AppHost's `processes` mode).
# Environment (set by the AppHost): PG_DATA (the replica's own data directory), PG_PORT (its port),
# PRIMARY_PORT (the primary's port on 127.0.0.1), REPLICATION_USER and REPLICATION_PASSWORD (a login role
# with REPLICATION on the primary), REPLICA_NAME (how the primary's pg_stat_replication names it).
# The first start copies the primary with pg_basebackup; later starts resume streaming from where the copy is.
# A replica is read-only (hot standby): PostgreSQL itself refuses every write sent to it.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  run=(setpriv --reuid=postgres --regid=postgres --init-groups --pdeathsig INT)
else
  run=(setpriv --pdeathsig INT)
fi

# The primary's address, as libpq reads it; the password travels in the environment, never on a command line.
conninfo="host=127.0.0.1 port=$PRIMARY_PORT user=$REPLICATION_USER application_name=$REPLICA_NAME"
export PGPASSWORD="$REPLICATION_PASSWORD"

if [ ! -s "$PG_DATA/PG_VERSION" ]; then
  rm -rf "$PG_DATA"
  mkdir -p "$PG_DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
  chmod 700 "$PG_DATA"
  until "$bin/pg_isready" -h 127.0.0.1 -p "$PRIMARY_PORT" -q; do sleep 0.5; done
  # A fast checkpoint and the WAL streamed alongside, so the copy is consistent on its own.
  "${run[@]}" env PGPASSWORD="$REPLICATION_PASSWORD" "$bin/pg_basebackup" -d "$conninfo" -D "$PG_DATA" -X stream -c fast
fi
# A standby at every start; the primary's address written anew (its port may change between runs). The
# password goes to a file of the postgres user's, not into postgresql.auto.conf's conninfo.
touch "$PG_DATA/standby.signal"
passfile="$PG_DATA/replication.pgpass"
printf '127.0.0.1:%s:*:%s:%s\n' "$PRIMARY_PORT" "$REPLICATION_USER" "$REPLICATION_PASSWORD" > "$passfile"
chmod 600 "$passfile"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA/standby.signal" "$passfile"
unset PGPASSWORD

"${run[@]}" "$bin/postgres" -D "$PG_DATA" -p "$PG_PORT" \
  -c listen_addresses="${LISTEN_ADDRESS:-127.0.0.1}" -c unix_socket_directories= \
  -c max_connections=300 -c shared_buffers=128MB \
  -c hot_standby=on -c hot_standby_feedback=on \
  -c primary_conninfo="$conninfo passfile=$passfile" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT HUP
wait "$pid" || true
wait "$pid" 2>/dev/null
