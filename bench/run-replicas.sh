#!/usr/bin/env bash
# Uncached searches with and without read replicas, in one run (issue 32). Starts the whole system twice on
# throw-away data directories, once with one streaming replica per shard (Replicas:PerShard=1) and once
# without (0), seeds each the same way through the API, then runs `wrk` against GET /availability/search
# through the gateway for a fixed time. Every request carries a cursor of its own (an `after` before every
# slot: the same first page), so no cache answers it: each is read from a shard's primary or a replica.
# Prints, for each: requests/s, p99, non-2xx answers, and the share of the machine's CPU the shards'
# primaries and replicas used while it ran (from /proc: each server's postmaster and its backends).
set -euo pipefail
cd "$(dirname "$0")/.."
CONCURRENCY=${CONCURRENCY:-16}
DURATION=${DURATION:-20s}
GW=http://127.0.0.1:5080

scripts/setup.sh
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk >/dev/null; }
dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly >/dev/null

# CPU time (clock ticks) of one PostgreSQL server: its postmaster (with the children it has reaped) and its
# live children, by the postmaster.pid in its data directory.
server_ticks() {
  local pid; pid=$(head -1 "$1/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat"
    for child in $(pgrep -P "$pid"); do awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || true; done
  } | awk '{ s += $1 } END { print s + 0 }'
}
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
ticks() { local s=0; for dir in "$@"; do s=$((s + $(server_ticks "$dir"))); done; echo $s; }

# One system: start, seed (bench/seed-search.sh), measure, stop.
run() { # replicas per shard
  (
    # The global server's standby, which nothing reads, is left out of both: the shards' replicas are measured.
    APPHOST_ARGS="--Replicas:PerShard=$1 --Replicas:Global=0"
    . bench/start-app.sh
    . bench/seed-search.sh
    # The replicas serve once they have replayed the seeding (the cells' /health names them).
    for _ in $(seq 1 60); do curl -fs "$GW/health" >/dev/null && break; sleep 1; done
    sleep 3

    # The cursor: a moment before every slot, and an id of its own per request (wrk's Lua, one counter per thread).
    since=$(( $(date -u -d today +%s) * 1000000 ))
    script=$(mktemp --suffix=.lua)
    cat >"$script" <<LUA
local n = 0
local thread_id = 0
function init(args) thread_id = math.random(1, 1000000) end
function request()
  n = n + 1
  return wrk.format("GET", "/availability/search?from=$from&to=$to&specialization=Spec1&limit=20&after=$since." .. thread_id .. string.format("%09d", n),
    { ["Authorization"] = "Bearer $ADMIN_TOKEN" })
end
LUA
    items=$(curl -fs -H "Authorization: Bearer $ADMIN_TOKEN" "$GW/availability/search?from=$from&to=$to&specialization=Spec1&limit=20&after=$since.1" \
      | python3 -c 'import sys, json; r = json.load(sys.stdin); print(len(r["items"]), "items, partial:", r["partial"])')
    wrk -t 2 -c "$CONCURRENCY" -d 5s -s "$script" "$GW" >/dev/null
    primaries=("$data"/postgres-shard-0 "$data"/postgres-shard-1)
    replicas=()
    for dir in "$data"/postgres-shard-*-replica-*; do [ -d "$dir" ] && replicas+=("$dir"); done
    m0=$(machine_ticks); p0=$(ticks "${primaries[@]}"); r0=$(ticks "${replicas[@]}")
    out=$(wrk -t 2 -c "$CONCURRENCY" -d "$DURATION" --latency -s "$script" "$GW")
    m1=$(machine_ticks); p1=$(ticks "${primaries[@]}"); r1=$(ticks "${replicas[@]}")
    rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    bad=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
    python3 - "$1" "$rps" "$p99" "${bad:-0}" "$((m1 - m0))" "$((p1 - p0))" "$((r1 - r0))" "$items" <<'PY'
import sys
replicas, rps, p99, bad, machine, primary, replica, items = sys.argv[1:]
machine = max(int(machine), 1)
label = f"{replicas} replica per shard" if replicas == "1" else f"{replicas} replicas per shard"
print(f"{label:>22}: {float(rps):7.0f} req/s, p99 {p99}, non-2xx {bad}; CPU: primaries {100 * int(primary) / machine:4.1f} %, "
      f"replicas {100 * int(replica) / machine:4.1f} % of the machine ({items})")
sys.exit(1 if int(bad) else 0)
PY
  )
}

echo "uncached GET /availability/search through the gateway, concurrency $CONCURRENCY, $DURATION each, on $(nproc) cores"
status=0
run 1 || status=1
run 0 || status=1
exit $status
