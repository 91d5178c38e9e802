# Sourced by the search benches after bench/start-app.sh: 10 clinics (the placement policy puts 5 on each shard),
# 5 doctors each (specializations Spec0 to Spec2), 2 shifts a day, slots from tomorrow for 7 days, all through
# the API as the administrator (json and id: bench/start-app.sh). Sets $from and $to.
from=$(date -u -d tomorrow +%F); to=$(date -u -d '+7 days' +%F)
for c in $(seq 1 10); do
  clinic=$(json "$GW/clinics" "{\"name\":\"Bench $c\",\"timeZone\":\"Europe/Berlin\"}" | id)
  am=$(json "$GW/clinics/$clinic/timeslots" '{"name":"Morning","startTime":"09:00","endTime":"12:00"}' | id)
  pm=$(json "$GW/clinics/$clinic/timeslots" '{"name":"Afternoon","startTime":"13:00","endTime":"17:00"}' | id)
  for d in $(seq 1 5); do
    doctor=$(json "$GW/clinics/$clinic/doctors" "{\"name\":\"Dr $c-$d\",\"specialization\":\"Spec$((d % 3))\"}" | id)
    json "$GW/doctors/$doctor/slots" "{\"timeSlotId\":$am}" >/dev/null
    json "$GW/doctors/$doctor/slots" "{\"timeSlotId\":$pm}" >/dev/null
  done
  json "$GW/availability/createBookingSlots" "{\"clinicId\":$clinic,\"from\":\"$from\",\"to\":\"$to\"}" >/dev/null
done
