# Run by the public postgres image at its first start (/docker-entrypoint-initdb.d), in the AppHost's containers
# mode when a shard has replicas: the role they stream as (REPLICATION_USER, REPLICATION_PASSWORD), which may
# replicate and nothing else, and replication connections from other containers, with a password. (The image
# built from Debian's packages does the same in postgres.sh.) Sourced by the image's entrypoint: no exit, no set.
if [ -n "${REPLICATION_USER:-}" ]; then
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN REPLICATION PASSWORD %L', :'role', :'password') \gexec
SQL
  echo 'host replication all all scram-sha-256' >> "$PGDATA/pg_hba.conf"
fi
