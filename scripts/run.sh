#!/usr/bin/env bash
# Starts the whole system: PostgreSQL, Redis and RabbitMQ (as processes; --Infrastructure:Mode=containers runs
# them as containers), IdentityService, CustomerService, NotificationService, ConsultationService, PaymentService, the ClinicService cells, the gateway,
# the web app and a local mail server with a web inbox (smtp4dev), with the Aspire dashboard.
# Extra arguments go to the AppHost, e.g. --Infrastructure:Mode=containers or --Clinics:ShardCount=3.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly

gateway_url="http://localhost:5080"
webapp_url="http://localhost:5090"
inbox_url="http://localhost:5095"
data_dir=.data
for arg in "$@"; do
  case $arg in --Infrastructure:DataDirectory=*) data_dir=${arg#*=} ;; esac
done
# Announce the gateway and the first administrator once the gateway answers; the AppHost itself prints the
# dashboard's login URL.
(
  for _ in $(seq 1 300); do
    if curl -fs "$gateway_url/health" >/dev/null 2>&1; then
      printf '\n  Web app:            %s   patients, clinic staff and administrators\n' "$webapp_url"
      printf '  Gateway (the API):  %s   e.g. curl %s/clinics\n' "$gateway_url" "$gateway_url"
      printf '  Mail inbox:         %s   every mail the system sent (smtp4dev)\n' "$inbox_url"
      printf '  Administrator:      admin@clinicbooking.local  password %s  (kept in %s/secrets/identity-admin)\n\n' \
        "$(cat "$data_dir/secrets/identity-admin")" "$data_dir"
      exit 0
    fi
    sleep 1
  done
) &

exec dotnet run --project AppHost --no-build --launch-profile http -- "$@"
