#!/usr/bin/env bash
# Stops the system scripts/containers/up.sh started; --volumes also drops its databases and broker data.
# COMPOSE_FILE names another description than deploy/compose.yaml, as for up.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
secrets=.data/containers/secrets.env
docker-compose -p clinicbooking --env-file "$secrets" -f "${COMPOSE_FILE:-deploy/compose.yaml}" down --remove-orphans ${1:+"$1"}
