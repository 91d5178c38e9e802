#!/usr/bin/env bash
# Runs one Redis server in the foreground for the AppHost's `processes` mode.
# Environment (set by the AppHost): REDIS_DATA (data directory), REDIS_PORT, REDIS_PASSWORD; in an image
# (deploy/images/redis) also LISTEN_ADDRESS (0.0.0.0).
set -euo pipefail

if ! command -v redis-server >/dev/null; then
  echo "Redis is not installed: apt-get install redis-server" >&2
  exit 1
fi
mkdir -p "$REDIS_DATA"

# Redis is a cache here: an append-only file keeps it warm across restarts, and --pdeathsig stops it
# if the AppHost's orchestrator disappears without a clean stop.
exec setpriv --pdeathsig TERM redis-server --port "$REDIS_PORT" --bind "${LISTEN_ADDRESS:-127.0.0.1}" \
  --dir "$REDIS_DATA" --appendonly yes --save "" --requirepass "$REDIS_PASSWORD" \
  --maxmemory 256mb --maxmemory-policy allkeys-lru
