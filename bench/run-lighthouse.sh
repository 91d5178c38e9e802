#!/usr/bin/env bash
# Lighthouse 12.2.3 (pinned in bench/lighthouse/) in Debian's Chromium on two pages of the web app: the patient
# search with results, and the booking page of a free slot, signed in as a patient (the session cookie is
# handed to Lighthouse). Default Lighthouse settings: a mobile device with simulated throttling.
# Prints each page's performance, accessibility and best-practices scores; the JSON reports stay in
# bench/lighthouse/reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
GW=http://localhost:5080
WEB=http://localhost:5090
export CHROME_PATH=/usr/bin/chromium

scripts/setup.sh --with-browser

(cd bench/lighthouse && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
dotnet build ClinicBooking.sln -nologo -v quiet -clp:ErrorsOnly
source bench/start-app.sh
for _ in $(seq 1 120); do curl -fs "$WEB/health" >/dev/null 2>&1 && break; sleep 1; done

# A clinic with a doctor working three shifts every day, and a week of slots.
admin=(-H "Authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json')
clinic=$(curl -fs -X POST "$GW/clinics" "${admin[@]}" -d '{"name": "Riverside", "timeZone": "Europe/Berlin", "address": "1 River Rd"}' | jq .id)
doctor=$(curl -fs -X POST "$GW/clinics/$clinic/doctors" "${admin[@]}" -d '{"name": "Dr Ada Lee", "specialization": "Cardiology"}' | jq .id)
for hour in 09 10 11; do
  shift_id=$(curl -fs -X POST "$GW/clinics/$clinic/timeslots" "${admin[@]}" \
    -d "{\"name\": \"$hour:00\", \"startTime\": \"$hour:00\", \"endTime\": \"$hour:45\"}" | jq .id)
  curl -fs -X POST "$GW/doctors/$doctor/slots" "${admin[@]}" -d "{\"timeSlotId\": $shift_id}" >/dev/null
done
from=$(date -u -d tomorrow +%F); to=$(date -u -d '+7 days' +%F)
curl -fs -X POST "$GW/availability/createBookingSlots" "${admin[@]}" -d "{\"clinicId\": $clinic, \"from\": \"$from\", \"to\": \"$to\"}" >/dev/null
slot=$(curl -fs "$GW/doctors/$doctor/availability?from=$from&to=$to" | jq '.items[0]')

# A patient, signed in through the web app's code flow with curl: the login form on the identity service,
# then back to the web app, whose session cookie Lighthouse sends.
email="lighthouse-$RANDOM@example.com"; password="correct horse battery staple"
curl -fs -X POST "$GW/account/register" -H 'content-type: application/json' \
  -d "{\"name\": \"Lee Lighthouse\", \"email\": \"$email\", \"password\": \"$password\"}" >/dev/null
# The account signs in once the link in its verification mail (the local inbox) is followed.
link=$(scripts/inbox-link.sh "$email" /account/verify-email)
curl -fs -X POST "$GW/account/email/verify" -H 'content-type: application/json' \
  -d "{\"accountId\": \"$(sed 's/.*account=\([^&]*\).*/\1/' <<<"$link")\", \"token\": \"${link##*token=}\"}" >/dev/null
jar=$(mktemp)
form=$(curl -fsL -c "$jar" -b "$jar" "$WEB/account/signin?returnUrl=%2F")
field() { grep -o "name=\"$1\" value=\"[^\"]*\"" <<<"$form" | head -1 | sed 's/.*value="//; s/"$//; s/&amp;/\&/g'; }
curl -fsL -o /dev/null -c "$jar" -b "$jar" "$GW/account/login" \
  --data-urlencode "__RequestVerificationToken=$(field __RequestVerificationToken)" --data-urlencode "returnUrl=$(field returnUrl)" \
  --data-urlencode "email=$email" --data-urlencode "password=$password"
cookie=$(awk '$6 ~ /^clinicbooking\.web/ { printf "%s%s=%s", sep, $6, $7; sep="; " }' "$jar")
rm -f "$jar"
[ -n "$cookie" ] || { echo "signing in failed" >&2; exit 1; }

mkdir -p bench/lighthouse/reports
audit() {
  local name=$1 url=$2 headers=${3:-"{}"}
  bench/lighthouse/node_modules/.bin/lighthouse "$url" --quiet --output=json --output-path="bench/lighthouse/reports/$name.json" \
    --only-categories=performance,accessibility,best-practices --extra-headers="$headers" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync --no-first-run"
  jq -r --arg name "$name" '"\($name): performance \(.categories.performance.score * 100 | round), accessibility \(.categories.accessibility.score * 100 | round), best practices \(.categories["best-practices"].score * 100 | round)"' \
    "bench/lighthouse/reports/$name.json"
}
audit search "$WEB/?specialization=Cardiology&from=$from&to=$to"
audit booking "$WEB/book/$(jq .id <<<"$slot")?doctorId=$doctor&date=$(jq -r .date <<<"$slot")" "$(jq -cn --arg c "$cookie" '{Cookie: $c}')"
