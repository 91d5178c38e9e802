#!/usr/bin/env bash
# Starts the whole system: PostgreSQL, Redis and RabbitMQ (as processes, or as containers where Docker
# runs), CustomerService, the ClinicService cells and the gateway, with the Aspire dashboard.
# Extra arguments go to the AppHost, e.g. --Infrastructure:Mode=containers or --Clinics:ShardCount=3.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly

gateway_url="http://localhost:5080"
# Announce the gateway once it answers; the AppHost itself prints the dashboard's login URL.
(
  for _ in $(seq 1 300); do
    if curl -fs "$gateway_url/health" >/dev/null 2>&1; then
      printf '\n  Gateway (the API):  %s   e.g. curl %s/customers\n\n' "$gateway_url" "$gateway_url"
      exit 0
    fi
    sleep 1
  done
) &

exec dotnet run --project AppHost --no-build --launch-profile http -- "$@"
