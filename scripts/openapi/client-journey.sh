#!/usr/bin/env bash
# A client generated from the gateway's OpenAPI document runs README's booking journey (client/journey.mts):
# openapi-typescript writes the types from /openapi/v1.json, TypeScript compiles the journey in strict mode
# (no casts, no hand-written API types), and Node runs it against the gateway. OpenApiTests runs it in CI.
#
#   scripts/openapi/client-journey.sh                 # starts a throw-away system (bench/start-app.sh)
#   scripts/openapi/client-journey.sh --gateway URL   # a running system; ADMIN_PASSWORD in the environment
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--gateway" ]; then
  export GW=$2
else
  cd "$here/../.."
  scripts/setup.sh >/dev/null
  dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly >/dev/null
  export GW=http://127.0.0.1:5080
  . bench/start-app.sh
fi
: "${ADMIN_PASSWORD:?Set ADMIN_PASSWORD to the administrator password of the system at $GW}"
[ -x "$here/node_modules/.bin/tsc" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# A scratch copy: each run generates its own types, and runs at once do not share files.
work=$(mktemp -d /tmp/clinicbooking-client-XXXXXX)
trap 'rm -rf "$work"' RETURN EXIT
cp "$here/client/journey.mts" "$here/client/tsconfig.json" "$work/"
ln -s "$here/node_modules" "$work/node_modules"
"$here/node_modules/.bin/openapi-typescript" "$GW/openapi/v1.json" -o "$work/api.d.ts" --silent
"$here/node_modules/.bin/tsc" -p "$work/tsconfig.json"
echo "ok compiled in strict mode"
node "$work/out/journey.mjs"
