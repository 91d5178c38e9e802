#!/usr/bin/env bash
# The system from images, checked end to end (CI runs it after the tests; about 7 minutes on a fresh machine):
# builds every image, starts a fresh system from them (deploy/compose.yaml), runs README's API walk (a booking
# end to end included) through the gateway, adds a third cell (the compose file compose.sh writes for three
# cells: one setting), checks that every container runs as a non-root user with a health check and a restart
# policy, each service from an image labelled with this commit, then crashes the new cell, CustomerService and
# RabbitMQ while bookings flow on the new shard (scripts/containers/faults.sh: each comes back by itself, no
# booking is lost). Stops the system and drops its data at the end. Prints "containers: ok" or what failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

total=$(date +%s)
scripts/containers/setup.sh
# The system grown to three cells is a superset of the one started first: stopping it stops everything.
grown=.data/containers/compose-3-cells.yaml
mkdir -p .data/containers && scripts/containers/compose.sh --cells 3 >"$grown"
COMPOSE_FILE=$grown scripts/containers/down.sh --volumes >/dev/null 2>&1 || true

# An OTLP endpoint (HTTP) that notes which service sent what: the services' telemetry must reach it.
otlp_log=.data/containers/otlp.log; : >"$otlp_log"
python3 - "$otlp_log" <<'PY' &
import http.server, re, sys
log = open(sys.argv[1], "a", buffering=1)
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        # The resource's service.name attribute: its key, then its value a few bytes on, in the protobuf payload
        # (the payload also names other services, as the addresses a span called).
        names = set(re.findall(rb"service\.name[\s\S]{2,6}?(identityservice|customerservice|notificationservice|consultationservice|paymentservice|clinicservice-\d+|gateway|webapp)", body))
        for name in names: log.write(f"{self.path} {name.decode()}\n")
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", 4318), Sink).serve_forever()
PY
otlp_pid=$!
export OTLP_ENDPOINT=http://127.0.0.1:4318
# A local mail server where the system's default MAIL_URL points (smtp4dev, as the AppHost runs it): README's
# walk and the fault run read the account mails' links in its inbox, as people do.
SMTP_PORT=2525 INBOX_PORT=5096 IMAP_PORT=2526 POP3_PORT=2527 AppHost/Infrastructure/scripts/smtp4dev.sh >.data/containers/smtp4dev.log 2>&1 &
mail_pid=$!
export INBOX=http://127.0.0.1:5096
trap 'kill $otlp_pid $mail_pid 2>/dev/null; COMPOSE_FILE=$grown scripts/containers/down.sh --volumes >/dev/null 2>&1 || true' EXIT
scripts/containers/up.sh

failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
ADMIN_PASSWORD=$(sed -n 's/^ADMIN_PASSWORD=//p' .data/containers/secrets.env) \
  scripts/readme-examples.sh --gateway http://127.0.0.1:5080 | tail -1 || fail "README's walk against the system from images"
# A third cell: the same images, the description written for three cells; what runs already stays up.
echo "Adding a third cell (scripts/containers/compose.sh --cells 3):"
COMPOSE_FILE=$grown scripts/containers/up.sh --no-build 2>&1 | grep -E "Healthy|^Creating|^Recreating" || fail "the system with a third cell"

curl -fs -o /dev/null http://127.0.0.1:5090/ || fail "the web app's home page"

revision=$(git rev-parse HEAD)
for service in $(docker-compose -f "$grown" --env-file .data/containers/secrets.env config --services); do
  container=clinicbooking_${service}_1
  read -r user health restart image < <(docker inspect "$container" \
    --format '{{.Config.User}} {{if .Config.Healthcheck}}{{len .Config.Healthcheck.Test}}{{else}}0{{end}} {{.HostConfig.RestartPolicy.Name}} {{.Image}}')
  label=$(docker image inspect "$image" --format '{{index .Config.Labels "org.opencontainers.image.revision"}}')
  status=$(docker inspect "$container" --format '{{.State.Health.Status}}')
  printf '  %-16s user %-8s health check %-3s (%s) restart %-15s revision %s\n' "$service" "$user" \
    "$([ "$health" -gt 0 ] && echo yes || echo no)" "$status" "$restart" "${label:0:12}"
  case $user in ""|0|root) fail "$service runs as root" ;; esac
  [ "$health" -gt 0 ] || fail "$service has no health check"
  [ "$status" = healthy ] || [ "$service" = webapp ] || fail "$service is $status"
  [ "$restart" = unless-stopped ] || fail "$service restarts on '$restart'"
  # The servers' images are built from Debian's packages (setup.sh); every service's image from this commit.
  case $service in postgres-*|redis|rabbitmq) ;; *) [ "$label" = "$revision" ] || fail "$service's image is of revision '$label', not $revision" ;; esac
done

# Each primary (the global server and each shard's) streams to its replica (its pg_stat_replication names it).
postgres_password=$(sed -n 's/^POSTGRES_PASSWORD=//p' .data/containers/secrets.env)
for primary in $(docker-compose -f "$grown" --env-file .data/containers/secrets.env config --services | grep -E '^postgres-(global|shard-[0-9]+)$'); do
  container=clinicbooking_${primary}_1
  port=$(docker inspect "$container" --format '{{range .Config.Env}}{{println .}}{{end}}' | sed -n 's/^PG_PORT=//p')
  # A replica that has just been added (the third cell's) may still be copying its primary: up to a minute.
  for _ in $(seq 1 60); do
    streaming=$(docker exec -e PGPASSWORD="$postgres_password" "$container" /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p "$port" \
      -U postgres -d postgres -tAc "SELECT string_agg(application_name, ', ') FROM pg_stat_replication WHERE state = 'streaming'" || true)
    [ -n "$streaming" ] && break
    sleep 1
  done
  printf '  %-16s streams to %s\n' "$primary" "${streaming:-nothing}"
  [ -n "$streaming" ] || fail "$primary streams to no replica"
done

scripts/containers/faults.sh || fail "crashes while bookings flow"

# Telemetry: every service sent traces, metrics and logs to the OTLP endpoint.
for service in $(docker-compose -f "$grown" --env-file .data/containers/secrets.env config --services | grep -Ev '^(postgres-|redis$|rabbitmq$)'); do
  sent=$(awk -v s="$service" '$2 == s { print $1 }' "$otlp_log" | sort -u | tr '\n' ' ')
  printf '  %-16s sent OTLP %s\n' "$service" "${sent:-nothing}"
  for signal in /v1/traces /v1/metrics /v1/logs; do
    case " $sent" in *" $signal "*) ;; *) fail "$service sent no $signal to the OTLP endpoint" ;; esac
  done
done

echo "containers: $([ $failures -eq 0 ] && echo ok || echo "$failures failed") in $(( $(date +%s) - total )) s"
[ $failures -eq 0 ]
