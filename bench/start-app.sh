# Sourced by the bench scripts: starts the AppHost (built beforehand, configuration $CONFIGURATION,
# default Debug) on a throw-away data directory in $data, waits for the gateway at $GW, and stops
# everything and removes the directory when the script exits. $APPHOST_ARGS, if set, are passed on to the AppHost.
data=$(mktemp -d /tmp/clinicbooking-bench-XXXXXX)
chmod 755 "$data"
# The dashboard keeps each AppHost run's telemetry in a SQLite database under ~/.aspire (a bench run
# writes hundreds of MB); a throw-away run needs only a temporary one, deleted when the dashboard stops.
export ASPIRE_DASHBOARD_PERSISTENCE_MODE=None
# The benchmarks measure capacity, not the gateway's per-client rate limits: those are lifted. Everything else
# (token validation, access checks) runs as in production; the benches call signed in ($ADMIN_TOKEN, below).
APPHOST_ARGS="${APPHOST_ARGS:-} --RateLimits:PerUser:TokenLimit=100000000 --RateLimits:PerUser:TokensPerSecond=100000000"
APPHOST_ARGS="$APPHOST_ARGS --RateLimits:PerClient:TokenLimit=100000000 --RateLimits:PerClient:TokensPerSecond=100000000"
setsid dotnet run -c "${CONFIGURATION:-Debug}" --project AppHost --no-build --launch-profile http -- \
  "--Infrastructure:DataDirectory=$data" ${APPHOST_ARGS:-} >"$data/apphost.log" 2>&1 &
apphost=$!
cleanup() {
  # SIGTERM, not SIGINT: a background job ignores SIGINT, and .NET keeps it ignored.
  kill -TERM -- "-$apphost" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$apphost" 2>/dev/null || break; sleep 1; done
  # The orchestrator stops the servers just after the AppHost exits; wait for those of this run.
  for _ in $(seq 1 30); do pgrep -f "$data" >/dev/null || break; sleep 1; done
  rm -rf "$data"
}
trap cleanup EXIT

# Ready when every cell answers: the gateway's clinic list is whole ("partial": false), not just there.
for _ in $(seq 1 180); do
  curl -fs "$GW/health" >/dev/null 2>&1 && curl -fs "$GW/clinics" 2>/dev/null | grep -q '"partial":false' && break
  sleep 1
done
# Signed in as the first administrator (created at first start, its password in the data directory).
export ADMIN_PASSWORD=$(cat "$data/secrets/identity-admin")
export ADMIN_TOKEN=$(curl -fs "$GW/connect/token" -d grant_type=password -d client_id=clinicbooking-cli \
  -d username=admin@clinicbooking.local --data-urlencode "password=$ADMIN_PASSWORD" -d scope=api | jq -r .access_token)

# The seeding's two helpers: POST JSON as the administrator, and the id of what it created.
json() { curl -fs -X POST "$1" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' -d "$2"; }
id() { python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])'; }
