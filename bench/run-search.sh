#!/usr/bin/env bash
# Cached GET /availability/search through the gateway over 2 shards, against the gateway's own /health, at
# the same concurrency in the same run. Starts the whole system on a throw-away data directory, seeds it
# through the API, runs `hey` against 127.0.0.1 for a fixed time, stops everything.
# Targets: search reaches >= 30% of /health's requests/s, with p99 under 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
CONCURRENCY=${CONCURRENCY:-16}
DURATION=${DURATION:-15s}
GW=http://127.0.0.1:5080

scripts/setup.sh
command -v hey >/dev/null || { apt-get install -y -qq hey >/dev/null 2>&1 || sudo apt-get install -y -qq hey >/dev/null; }
dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly >/dev/null

. bench/start-app.sh

. bench/seed-search.sh

search="$GW/availability/search?from=$from&to=$to&specialization=Spec1&limit=20"
items=$(curl -fs "$search" | python3 -c 'import sys, json; r = json.load(sys.stdin); print(len(r["items"]), "items, partial:", r["partial"])')
echo "search answers: $items"

measure() { # url -> "rps p99ms"
  hey -H "Authorization: Bearer $ADMIN_TOKEN" -z "$DURATION" -c "$CONCURRENCY" "$1" | awk '
    /Requests\/sec/ { rps = $2 }
    /99% in/ { p99 = $3 * 1000 }
    /\[[0-9]+\]/ { gsub(/[\[\]]/, "", $1); status[$1] += $2 }
    END { bad = 0; for (s in status) if (s != 200) bad += status[s]; printf "%.0f %.1f %d\n", rps, p99, bad }'
}
hey -H "Authorization: Bearer $ADMIN_TOKEN" -n 500 -c "$CONCURRENCY" "$GW/health" >/dev/null
hey -H "Authorization: Bearer $ADMIN_TOKEN" -n 500 -c "$CONCURRENCY" "$search" >/dev/null
read -r health_rps health_p99 health_bad < <(measure "$GW/health")
read -r search_rps search_p99 search_bad < <(measure "$search")

echo "concurrency $CONCURRENCY, $DURATION each, on $(nproc) cores"
echo "GET /health:              $health_rps req/s, p99 $health_p99 ms, non-200: $health_bad"
echo "GET /availability/search: $search_rps req/s, p99 $search_p99 ms, non-200: $search_bad"
python3 - "$health_rps" "$search_rps" "$search_p99" <<'PY'
import sys
health, search, p99 = map(float, sys.argv[1:])
ratio = search / health
print(f"search / health = {ratio:.2f} (target >= 0.30); search p99 {p99:.1f} ms (target < 50 ms)")
sys.exit(0 if ratio >= 0.30 and p99 < 50 else 1)
PY
