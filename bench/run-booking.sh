#!/usr/bin/env bash
# Bookings of distinct free slots through the gateway (the whole saga: cell, RabbitMQ, CustomerService and
# back) at 1, 16 and 64 concurrent clients, beside the raw PostgreSQL rate of the same conditional update
# (pgbench, `UPDATE ... WHERE customer_id IS NULL`) on a shard's server, in the same run. Starts the whole
# system on a throw-away data directory, seeds it through the API, stops everything afterwards.
# Verdict: at 16 clients, confirmed bookings/s >= 0.25 x the reads of one booking through the same path
# (gateway and cell) measured in the same run, with no 5xx; the raw pgbench rate is printed for scale.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_LEVEL=${SECONDS_PER_LEVEL:-10}
LEVELS=${LEVELS:-1,16,64}
WARMUP_SECONDS=${WARMUP_SECONDS:-60}
# TELEMETRY=on (default) runs the services as the AppHost does for development: every trace recorded and
# sent to the dashboard. TELEMETRY=sampled keeps 10% of the traces (parent-based, as production would;
# metrics and logs unchanged). TELEMETRY=off runs them without OpenTelemetry (OTEL_SDK_DISABLED, which they
# inherit from the AppHost): how much of the two cores the telemetry, and the dashboard ingesting it, take.
TELEMETRY=${TELEMETRY:-on}
case "$TELEMETRY" in
  on) ;;
  sampled) export APPHOST_ARGS="--Telemetry:TraceSampleRatio=0.1" ;;
  off) export OTEL_SDK_DISABLED=true ;;
  *) echo "TELEMETRY must be on, sampled or off" >&2; exit 2 ;;
esac
GW=http://127.0.0.1:5080

scripts/setup.sh
command -v pgbench >/dev/null || apt-get install -y -qq postgresql-contrib >/dev/null 2>&1 || true
# Release builds: the services run as they would be deployed (the AppHost passes its configuration on).
dotnet build AppHost/AppHost.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet build bench/BookingBench -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null

CONFIGURATION=Release
. bench/start-app.sh

# The raw rate first, while the system is idle: right after the bookings, the services and the dashboard are
# still busy for seconds (telemetry export and ingestion), which would lower the raw rate and flatter the ratio.
# The same conditional update on shard 0's server, on a scratch table of the same shape (2 million free
# slots, random ids, so almost every update finds its row free).
# Right after start the services are still compiling and settling: wait until the machine is quiet (80% idle
# for 3 s in a row, at most 2 min) so neither figure is measured against that.
cpu_idle_and_total() { awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
wait_for_quiet() {
  local quiet=0 idle0 total0 idle1 total1
  for _ in $(seq 1 120); do
    read -r idle0 total0 < <(cpu_idle_and_total)
    sleep 1
    read -r idle1 total1 < <(cpu_idle_and_total)
    if (( (idle1 - idle0) * 10 >= (total1 - total0) * 8 )); then quiet=$((quiet + 1)); else quiet=0; fi
    if (( quiet >= 3 )); then return 0; fi
  done
  echo "(the machine did not become quiet; measuring anyway)"
}

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
server="$data/postgres-shard-0"
export PGHOST=127.0.0.1 PGPORT=$(sed -n 4p "$server/postmaster.pid") PGUSER=postgres PGDATABASE=clinics
export PGPASSWORD=$(cat "$data/secrets/postgres-shard-0")
psql -q -v ON_ERROR_STOP=1 <<'SQL'
DROP TABLE IF EXISTS bench_raw_slots;
CREATE TABLE bench_raw_slots (clinic_id bigint NOT NULL, id bigint NOT NULL, customer_id bigint, PRIMARY KEY (clinic_id, id));
INSERT INTO bench_raw_slots (clinic_id, id) SELECT 1, g FROM generate_series(1, 2000000) g;
VACUUM ANALYZE bench_raw_slots;
SQL
cat > "$data/raw.sql" <<'SQL'
\set id random(1, 2000000)
\set customer random(1, 500)
UPDATE bench_raw_slots SET customer_id = :customer WHERE clinic_id = 1 AND id = :id AND customer_id IS NULL;
SQL
wait_for_quiet
echo "== raw conditional UPDATE (pgbench, $SECONDS_PER_LEVEL s per level)"
: > "$data/raw.txt"
for clients in ${LEVELS//,/ }; do
  tps=$("$pgbin/pgbench" -n -M prepared -c "$clients" -j "$(( clients < 2 ? 1 : 2 ))" -T "$SECONDS_PER_LEVEL" -f "$data/raw.sql" 2>/dev/null \
    | awk '/^tps/ { print $3; exit }')
  printf 'clients %3d: %7.0f updates/s\n' "$clients" "$tps"
  echo "RAW $clients $tps" >> "$data/raw.txt"
done
# Dropped, and checkpointed, so that writing back its pages does not fall into the bookings' run.
psql -q -c 'DROP TABLE bench_raw_slots' -c 'CHECKPOINT'

wait_for_quiet
echo "== bookings through the gateway ($SECONDS_PER_LEVEL s per level, $(nproc) cores, telemetry $TELEMETRY)"
# While the 16-client level runs, the CPU each program takes (in cores, from /proc/<pid>/stat): where the
# two cores go.
cpu_by_program() {
  local snap=$1 p line stat
  for p in /proc/[0-9]*; do
    read -r line < "$p/stat" 2>/dev/null || continue
    stat=(${line##*) })
    printf '%s %s %s\n' "${p#/proc/}" "$(( stat[11] + stat[12] ))" "$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | awk '{ print $1 }')"
  done > "$snap"
}
sample_cpu() {
  sleep 1
  cpu_by_program "$data/cpu0"
  sleep "$1"
  cpu_by_program "$data/cpu1"
  join <(sort "$data/cpu0") <(sort "$data/cpu1") | awk -v hz="$(getconf CLK_TCK)" -v s="$1" '
    { d = ($4 - $2) / hz / s; name = $5; sub(".*/", "", name); if (name ~ /^postgres/) name = "postgres"
      if (name == "") name = "(kernel threads)"; if (d > 0) { t[name] += d; all += d } }
    END { for (n in t) if (t[n] >= 0.01) printf "  %-26s %5.2f\n", n, t[n]; printf "  %-26s %5.2f\n", "all", all }' \
    | sort -k2 -rn > "$data/cpu.txt"
}
dotnet bench/BookingBench/bin/Release/net10.0/BookingBench.dll "$GW" "$SECONDS_PER_LEVEL" "$LEVELS" "$WARMUP_SECONDS" \
  | { while IFS= read -r line; do
        echo "$line"
        if [ "$line" = "level 16 starts" ] && [ "$SECONDS_PER_LEVEL" -gt 3 ]; then sample_cpu $(( SECONDS_PER_LEVEL - 2 )) & fi
      done
      wait; } | tee "$data/booking.txt"
if [ -s "$data/cpu.txt" ]; then
  echo "== CPU by program at 16 clients (cores)"
  cat "$data/cpu.txt"
fi

python3 - "$data/booking.txt" "$data/raw.txt" <<'PY'
import sys
booked = {int(p[1]): (float(p[2]), float(p[3]), float(p[4]), int(p[5])) for p in (l.split() for l in open(sys.argv[1]) if l.startswith("RESULT"))}
raw = {int(p[1]): float(p[2]) for p in (l.split() for l in open(sys.argv[2]) if l.startswith("RAW"))}
for clients in sorted(booked):
    rate, p50, p99, errors = booked[clients]
    print(f"clients {clients:3d}: {rate:7.0f} bookings/s (for scale: {raw[clients]:7.0f} raw updates/s, {rate / raw[clients]:6.1%}); "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, 5xx {errors}")
reads, reads_p99 = [(float(p[2]), float(p[4])) for p in (l.split() for l in open(sys.argv[1]) if l.startswith("READS"))][0]
rate, _, p99, errors = booked[16]
print(f"reads of one booking through gateway and cell at 16 clients: {reads:7.0f}/s, p99 {reads_p99:.1f} ms")
ok = rate >= 0.25 * reads and errors == 0
print(f"verdict at 16 clients: bookings/s = {rate / reads:.2f} x reads/s on the same path (floor 0.25), 5xx {errors}: {'met' if ok else 'NOT met'}")
sys.exit(0 if ok else 1)
PY
