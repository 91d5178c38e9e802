#!/usr/bin/env bash
# Starts ClinicBooking from its images on this machine (deploy/compose.yaml): builds the images first unless
# --no-build, waits until the gateway is healthy, and prints the URLs, as scripts/run.sh does for processes.
# Secrets are generated once into .data/containers/secrets.env (kept out of git and out of every image).
#   scripts/containers/up.sh [--no-build]      start (or update) the system
#   scripts/containers/down.sh [--volumes]      stop it (and drop its data)
# COMPOSE_FILE names another description than deploy/compose.yaml (e.g. one compose.sh wrote for more cells).
set -euo pipefail
cd "$(dirname "$0")/../.."

scripts/containers/setup.sh >/dev/null
[ "${1:-}" = "--no-build" ] || scripts/containers/build.sh

secrets=.data/containers/secrets.env
mkdir -p "$(dirname "$secrets")"
touch "$secrets" && chmod 600 "$secrets"
# Each secret once: a file from an earlier version gets the ones added since.
for name in ADMIN_PASSWORD OPS_CLIENT_SECRET KEY_ENCRYPTION_KEY WEBAPP_FORWARDER_KEY POSTGRES_PASSWORD \
            CUSTOMERS_DB_PASSWORD IDENTITY_DB_PASSWORD NOTIFICATIONS_DB_PASSWORD CONSULTATIONS_DB_PASSWORD PAYMENTS_DB_PASSWORD SHARD_DB_PASSWORD REPLICATION_PASSWORD \
            REDIS_PASSWORD RABBITMQ_PASSWORD VIDEO_SIGNING_KEY PAYMENTS_SECRET_KEY PAYMENTS_WEBHOOK_SECRET; do
  grep -q "^$name=" "$secrets" || echo "$name=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)" >>"$secrets"
done

# The images of this commit (build.sh tags each with it), pulled from the registry.
export TAG=${TAG:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo latest)}
compose=(docker-compose -p clinicbooking --env-file "$secrets" -f "${COMPOSE_FILE:-deploy/compose.yaml}")
start=$(date +%s)
# What a failed start needs to be understood where it happened (a CI machine): each container's state, and for
# each one that is not healthy its health probe's last answers and the end of its log.
explain() {
  "${compose[@]}" ps
  for container in $("${compose[@]}" ps -q); do
    health=$(docker inspect "$container" --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}')
    [ "$health" = healthy ] && continue
    name=$(docker inspect "$container" --format '{{.Name}}')
    echo "--- ${name#/}: $(docker inspect "$container" --format '{{.State.Status}}, restarted {{.RestartCount}} times, health') $health"
    docker inspect "$container" --format '{{if .State.Health}}{{range .State.Health.Log}}probe exit {{.ExitCode}}: {{.Output}}{{"\n"}}{{end}}{{end}}' | tail -4
    docker logs --tail 30 "$container" 2>&1 | sed 's/^/    /'
  done
  df -h /var/lib/docker 2>/dev/null | tail -1
}
"${compose[@]}" pull --quiet
"${compose[@]}" up -d --remove-orphans || { explain; exit 1; }
for _ in $(seq 1 300); do
  curl -fs http://127.0.0.1:5080/health >/dev/null 2>&1 && break
  sleep 1
done
curl -fs http://127.0.0.1:5080/health >/dev/null || { explain; exit 1; }
printf '\n  Web app:            http://localhost:5090\n  Gateway (the API):  http://localhost:5080\n'
printf '  Administrator:      admin@clinicbooking.local  password %s  (kept in %s)\n' \
  "$(sed -n 's/^ADMIN_PASSWORD=//p' "$secrets")" "$secrets"
printf '  Healthy gateway %s s after the start.\n\n' $(( $(date +%s) - start ))
