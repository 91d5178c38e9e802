#!/usr/bin/env bash
# The system from images, checked end to end (CI runs it after the tests; about 7 minutes on a fresh machine):
# builds every image, starts a fresh system from them (deploy/compose.yaml), checks that every service
# container runs as a non-root user with a health check and a restart policy, from an image labelled with
# this commit, runs README's API walk (a booking end to end included) through the gateway, then crashes a
# cell, CustomerService and RabbitMQ while bookings flow (scripts/containers/faults.sh: each comes back by
# itself, no booking is lost). Stops the system and drops its data at the end. Prints "containers: ok" or
# what failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

total=$(date +%s)
scripts/containers/setup.sh
scripts/containers/down.sh --volumes >/dev/null 2>&1 || true
trap 'scripts/containers/down.sh --volumes >/dev/null 2>&1 || true' EXIT
scripts/containers/up.sh

failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
revision=$(git rev-parse HEAD)
for service in identityservice customerservice clinicservice-0 clinicservice-1 gateway webapp; do
  container=clinicbooking_${service}_1
  read -r user health restart image < <(docker inspect "$container" \
    --format '{{.Config.User}} {{if .Config.Healthcheck}}{{len .Config.Healthcheck.Test}}{{else}}0{{end}} {{.HostConfig.RestartPolicy.Name}} {{.Image}}')
  label=$(docker image inspect "$image" --format '{{index .Config.Labels "org.opencontainers.image.revision"}}')
  status=$(docker inspect "$container" --format '{{.State.Health.Status}}')
  printf '  %-16s user %-5s health check %-3s (%s) restart %-15s revision %s\n' "$service" "$user" \
    "$([ "$health" -gt 0 ] && echo yes || echo no)" "$status" "$restart" "${label:0:12}"
  case $user in ""|0|root) fail "$service runs as root" ;; esac
  [ "$health" -gt 0 ] || fail "$service has no health check"
  [ "$status" = healthy ] || [ "$service" = webapp ] || fail "$service is $status"
  [ "$restart" = unless-stopped ] || fail "$service restarts on '$restart'"
  [ "$label" = "$revision" ] || fail "$service's image is of revision '$label', not $revision"
done

ADMIN_PASSWORD=$(sed -n 's/^ADMIN_PASSWORD=//p' .data/containers/secrets.env) \
  scripts/readme-examples.sh --gateway http://127.0.0.1:5080 | tail -1 || fail "README's walk against the system from images"
scripts/containers/faults.sh || fail "crashes while bookings flow"

echo "containers: $([ $failures -eq 0 ] && echo ok || echo "$failures failed") in $(( $(date +%s) - total )) s"
[ $failures -eq 0 ]
