#!/usr/bin/env bash
# Stops the system scripts/containers/up.sh started; --volumes also drops its databases and broker data.
set -euo pipefail
cd "$(dirname "$0")/../.."
secrets=.data/containers/secrets.env
docker-compose -p clinicbooking --env-file "$secrets" -f deploy/compose.yaml down --remove-orphans ${1:+"$1"}
