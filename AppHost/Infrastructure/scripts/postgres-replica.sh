#!/usr/bin/env bash
# Runs one streaming replica of a PostgreSQL server in the foreground (the AppHost's `processes` mode, and the
# postgres image's replicas in deploy/compose.yaml).
# Environment: PG_DATA (the replica's own data directory), PG_PORT (its port), PRIMARY_HOST (default
# 127.0.0.1) and PRIMARY_PORT (the primary's), REPLICATION_USER and REPLICATION_PASSWORD (a login role with
# REPLICATION on the primary), REPLICA_NAME (how the primary's pg_stat_replication names it), LISTEN_ADDRESS
# (default 127.0.0.1).
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
primary=${PRIMARY_HOST:-127.0.0.1}
conninfo="host=$primary port=$PRIMARY_PORT user=$REPLICATION_USER application_name=$REPLICA_NAME"
export PGPASSWORD="$REPLICATION_PASSWORD"

if [ ! -s "$PG_DATA/PG_VERSION" ]; then
  rm -rf "$PG_DATA"
  mkdir -p "$PG_DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
  chmod 700 "$PG_DATA"
  until "$bin/pg_isready" -h "$primary" -p "$PRIMARY_PORT" -q; do sleep 0.5; done
  # A fast checkpoint and the WAL streamed alongside, so the copy is consistent on its own. The primary may
  # answer before its replication role exists (it is made once the primary is up): try again for a minute.
  for attempt in $(seq 1 60); do
    "${run[@]}" env PGPASSWORD="$REPLICATION_PASSWORD" "$bin/pg_basebackup" -d "$conninfo" -D "$PG_DATA" -X stream -c fast && break
    [ "$attempt" -lt 60 ] || exit 1
    find "$PG_DATA" -mindepth 1 -delete
    sleep 1
  done
fi
# A standby at every start; the primary's address written anew (its port may change between runs). The
# password goes to a file of the postgres user's, not into postgresql.auto.conf's conninfo.
touch "$PG_DATA/standby.signal"
passfile="$PG_DATA/replication.pgpass"
printf '%s:%s:*:%s:%s\n' "$primary" "$PRIMARY_PORT" "$REPLICATION_USER" "$REPLICATION_PASSWORD" > "$passfile"
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
