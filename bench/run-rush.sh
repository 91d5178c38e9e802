#!/usr/bin/env bash
# A rush: 512 concurrent clients (far above what 2 cores answer) on the cached search, the clinic list
# (a fan-out to every cell) and bookings, each for a fixed time. Prints per endpoint: admitted requests/s,
# p99 of the admitted requests, the share shed (503 + Retry-After from the gateway's admission limits), and
# 5xx other than a shed 503, which must be 0. Starts the whole system on a throw-away data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-512}
DURATION=${DURATION:-15}
GW=http://127.0.0.1:5080

scripts/setup.sh
command -v hey >/dev/null || { apt-get install -y -qq hey >/dev/null 2>&1 || sudo apt-get install -y -qq hey >/dev/null; }
dotnet build AppHost/AppHost.csproj -nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet build bench/BookingBench -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null

. bench/start-app.sh

# 4 clinics with 7 days of slots for the reads (BookingBench seeds its own for the bookings).
from=$(date -u -d tomorrow +%F); to=$(date -u -d '+7 days' +%F)
for c in $(seq 1 4); do
  clinic=$(json "$GW/clinics" "{\"name\":\"Rush $c\",\"timeZone\":\"Europe/Berlin\"}" | id)
  shift_id=$(json "$GW/clinics/$clinic/timeslots" '{"name":"Day","startTime":"09:00","endTime":"17:00"}' | id)
  for d in $(seq 1 3); do
    doctor=$(json "$GW/clinics/$clinic/doctors" "{\"name\":\"Dr $c-$d\",\"specialization\":\"Spec$d\"}" | id)
    json "$GW/doctors/$doctor/slots" "{\"timeSlotId\":$shift_id}" >/dev/null
  done
  json "$GW/availability/createBookingSlots" "{\"clinicId\":$clinic,\"from\":\"$from\",\"to\":\"$to\"}" >/dev/null
done

# hey's CSV has one row per request: response-time (s) first, status code seventh.
rush() { # name url
  local csv admitted
  csv=$(mktemp); admitted=$(mktemp)
  hey -H "Authorization: Bearer $ADMIN_TOKEN" -z "${DURATION}s" -c "$CLIENTS" -o csv "$2" >"$csv"
  # Latencies (ms) of the admitted requests: every answer but a shed 503 or 429.
  awk -F, 'NR > 1 && $7 != "" && $7 != 503 && $7 != 429 { print $1 * 1000 }' "$csv" | sort -n >"$admitted"
  awk -F, -v name="$1" -v seconds="$DURATION" -v n="$(wc -l <"$admitted")" \
      -v p99="$(awk -v n="$(wc -l <"$admitted")" 'NR == int(0.99 * n + 0.999) { print; exit }' "$admitted")" '
    NR > 1 && $7 != "" { total++; if ($7 == 503 || $7 == 429) shed++; if ($7 >= 500 && $7 != 503) errors++ }
    END {
      printf "%-32s admitted %6.0f req/s, p99 of admitted %7.1f ms, shed %5.1f%%, other 5xx %d\n",
        name, n / seconds, p99, total ? 100 * shed / total : 0, errors
    }' "$csv"
  rm -f "$csv" "$admitted"
}

echo "$CLIENTS clients, ${DURATION} s each, on $(nproc) cores"
hey -H "Authorization: Bearer $ADMIN_TOKEN" -n 2000 -c 16 "$GW/availability/search?from=$from&to=$to&specialization=Spec1&limit=20" >/dev/null
rush "GET /availability/search" "$GW/availability/search?from=$from&to=$to&specialization=Spec1&limit=20"
rush "GET /clinics" "$GW/clinics?limit=20"
dotnet bench/BookingBench/bin/Release/net10.0/BookingBench.dll "$GW" "$DURATION" "$CLIENTS" 20 | awk '
  /^seeded|^warm-up/ { print "bookings: " $0 }
  $1 == "ADMITTED" { printf "%-32s admitted %6.0f req/s, p99 of admitted %7.1f ms, shed %5s%%, other 5xx %d\n",
                     "PUT /bookingSlots/{id}/booking", $3, $4, $5, $6 }'
