#!/usr/bin/env bash
# Runs one PostgreSQL server in the foreground for the AppHost's `processes` mode.
# Environment (set by the AppHost): PG_DATA (data directory), PG_PORT (port Aspire assigned),
# POSTGRES_PASSWORD (password of the `postgres` role, used only when the cluster is first created).
# In an image (deploy/images/postgres): LISTEN_ADDRESS (0.0.0.0, so other containers connect, with a
# password) and DATABASE_OWNERS (lines "database role password": each database owned by a login role of its
# own, created or updated at every start, as DatabaseOwners does for the AppHost), and REPLICATION_USER and
# REPLICATION_PASSWORD when replicas stream from it (postgres-replica.sh).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql" >&2
  exit 1
fi

# PostgreSQL refuses to run as root, so root drops to the `postgres` user that the Debian package creates.
# --pdeathsig: if this script is killed outright, the server still gets a fast-shutdown signal instead of
# being orphaned.
# (An array, not a function: a backgrounded function runs in a subshell, which would then receive the
# stop signal instead of the server.)
if [ "$(id -u)" = 0 ]; then
  run=(setpriv --reuid=postgres --regid=postgres --init-groups --pdeathsig INT)
else
  run=(setpriv --pdeathsig INT)
fi

# The data directory may sit below a folder the postgres user cannot enter (a clone in /root, say): let it
# traverse (o+x, no listing) each such folder on the way down, and say so.
if [ "$(id -u)" = 0 ]; then
  path=""
  IFS=/ read -ra parts <<< "${PG_DATA#/}"
  for part in "${parts[@]:0:${#parts[@]}-1}"; do
    path="$path/$part"
    [ -d "$path" ] || break
    if ! "${run[@]}" test -x "$path"; then
      echo "Allowing the postgres user to traverse $path (chmod o+x) to reach its data directory." >&2
      chmod o+x "$path"
    fi
  done
fi

if [ ! -s "$PG_DATA/PG_VERSION" ]; then
  mkdir -p "$PG_DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
  chmod 700 "$PG_DATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
  "${run[@]}" "$bin/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
fi
listen=${LISTEN_ADDRESS:-127.0.0.1}
if [ "$listen" != 127.0.0.1 ] && ! grep -q '^host all all 0.0.0.0/0' "$PG_DATA/pg_hba.conf"; then
  echo 'host all all 0.0.0.0/0 scram-sha-256' >> "$PG_DATA/pg_hba.conf"
fi
# Replicas on other hosts stream with a password too ("all" above does not cover replication connections).
if [ "$listen" != 127.0.0.1 ] && [ -n "${REPLICATION_USER:-}" ] && ! grep -q '^host replication all 0.0.0.0/0' "$PG_DATA/pg_hba.conf"; then
  echo 'host replication all 0.0.0.0/0 scram-sha-256' >> "$PG_DATA/pg_hba.conf"
fi

# wal_keep_size: a replica that was away (restarted, slow) finds the log it has not replayed still here.
# Fast shutdown (SIGINT) on stop: a smart shutdown would wait for every pooled client connection to close.
"${run[@]}" "$bin/postgres" -D "$PG_DATA" -p "$PG_PORT" \
  -c listen_addresses="$listen" -c unix_socket_directories= \
  -c max_connections=300 -c shared_buffers=128MB -c fsync=on \
  -c wal_keep_size=512MB &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT HUP

if [ -n "${DATABASE_OWNERS:-}" ] || [ -n "${REPLICATION_USER:-}" ]; then
  export PGPASSWORD="$POSTGRES_PASSWORD"
  until "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; do sleep 0.5; done
  while read -r database role password; do
    [ -n "$database" ] || continue
    # Identifiers and the password go through psql's quoting (:"name", :'value'), never spliced into SQL text.
    "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -v db="$database" -v role="$role" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"role";
SQL
  done <<< "${DATABASE_OWNERS:-}"
  # The role replicas stream as (REPLICATION_USER, REPLICATION_PASSWORD): it logs in for replication, nothing else.
  if [ -n "${REPLICATION_USER:-}" ]; then
    "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -v role="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SQL
  fi
  unset PGPASSWORD
fi
wait "$pid" || true
wait "$pid" 2>/dev/null
