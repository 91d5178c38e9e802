#!/usr/bin/env bash
# Installs what ClinicBooking needs on a Debian machine and is missing: the PostgreSQL 15, Redis 7 and
# RabbitMQ servers that the AppHost runs as plain processes; with --with-browser also Debian's Chromium, which
# the web app's end-to-end tests, the screenshots and Lighthouse drive. Safe to run again; it installs nothing twice.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK is required: https://dot.net/download" >&2
  exit 1
fi

missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v setpriv >/dev/null || missing+=(util-linux)
# The README's examples pick tokens out of JSON answers with jq.
command -v jq >/dev/null || missing+=(jq)
# Playwright's own browser download does not work everywhere; the system's Chromium always does.
if [ "${1:-}" = "--with-browser" ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} ..."
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  # The packages' own services are not wanted: the AppHost runs private instances on ports it picks.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet tool restore >/dev/null
