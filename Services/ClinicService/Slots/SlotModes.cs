using ClinicBooking.ClinicService.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Slots;

/// <summary>
/// What a booking slot offers (in person, online, either): its doctor's template for that shift and weekday
/// where it names a mode, or else the shift's own. Stamped on a slot when it is made (generation writes the
/// same rule into its INSERT, a slot made by hand asks <see cref="OfAsync"/>) and again on the free future slots
/// of a shift whose mode, or whose templates' modes, change; a booked slot keeps its mode, and its booking its own.
/// </summary>
public static class SlotModes
{
    /// <summary>
    /// Re-stamps the free future slots of time slot <paramref name="timeSlotId"/> (only <paramref name="doctorId"/>'s,
    /// when a template of theirs changed) whose mode the rule now gives otherwise; the others are not written.
    /// A weekday's own template outranks an every-day one. Returns how many changed.
    /// </summary>
    public static Task<int> StampAsync(ClinicDbContext db, long clinicId, long timeSlotId, long? doctorId, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH wanted AS (
                SELECT s.clinic_id, s.id,
                       COALESCE((SELECT ds.mode FROM doctor_slots ds
                                  WHERE ds.clinic_id = s.clinic_id AND ds.doctor_id = s.doctor_id AND ds.time_slot_id = s.time_slot_id
                                    AND ds.mode IS NOT NULL AND (ds.weekday IS NULL OR ds.weekday = extract(isodow FROM s.date))
                                  ORDER BY ds.weekday NULLS LAST LIMIT 1), ts.mode) AS mode
                  FROM booking_slots s
                  JOIN time_slots ts ON ts.clinic_id = s.clinic_id AND ts.id = s.time_slot_id
                 WHERE s.clinic_id = {clinicId} AND s.time_slot_id = {timeSlotId}
                   AND ({doctorId}::bigint IS NULL OR s.doctor_id = {doctorId}::bigint)
                   AND s.customer_id IS NULL AND s.starts_at > now())
            UPDATE booking_slots s SET mode = wanted.mode
              FROM wanted
             -- Re-checked on the row as it is when updated: a slot booked meanwhile keeps its mode.
             WHERE s.clinic_id = wanted.clinic_id AND s.id = wanted.id AND s.mode <> wanted.mode AND s.customer_id IS NULL
            """, ct);

    /// <summary>The mode the doctor's templates give their shift on <paramref name="date"/>, or null for the shift's own.</summary>
    public static Task<string?> OfAsync(ClinicDbContext db, long clinicId, long doctorId, long timeSlotId, DateOnly date, CancellationToken ct)
    {
        var weekday = date.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)date.DayOfWeek;
        return db.DoctorSlots.AsNoTracking()
            .Where(t => t.ClinicId == clinicId && t.DoctorId == doctorId && t.TimeSlotId == timeSlotId && t.Mode != null
                        && (t.Weekday == null || t.Weekday == weekday))
            .OrderBy(t => t.Weekday == null).Select(t => t.Mode).FirstOrDefaultAsync(ct);
    }
}
