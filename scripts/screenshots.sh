#!/usr/bin/env bash
# Takes the README's screenshots from the running system: the web app's journey tests (which start the real
# AppHost and drive Debian's Chromium) save the patient search, the booking confirmation and the staff
# schedule, and the booking's confirmation mail in the local inbox (smtp4dev), into docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --with-browser
dotnet build ClinicBooking.sln -nologo -v quiet -clp:ErrorsOnly
SCREENSHOTS_DIR="$PWD/docs/screenshots" dotnet test --project tests/ClinicBooking.IntegrationTests --no-build -- \
  --filter-method "*A_patient_signs_up_searches_books_sees_the_booking_and_cancels_it" \
  --filter-method "*A_staff_member_sets_up_a_doctor_generates_slots_and_sees_a_patients_booking_in_the_day_schedule"
ls -l docs/screenshots
