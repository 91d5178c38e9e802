using ClinicBooking.ClinicService.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Slots;

/// <summary>
/// What a booking slot offers: how the appointment takes place (in person, online, either) and what it costs. Each
/// comes from the doctor's template for that shift and weekday where it names one (a weekday's template outranks an
/// every-day one), or else from the shift. The rule is one SQL function, <c>slot_terms(clinic, doctor, time slot,
/// date)</c> (migration <c>Prices</c>), which generation's INSERT, a slot made by hand (<see cref="OfAsync"/>) and
/// <see cref="StampAsync"/> all call. Stamped on a slot when it is made and again on the free future slots of a shift
/// whose terms, or whose templates' terms, change; a booked slot keeps its terms, and its booking its own.
/// </summary>
public sealed class SlotTerms
{
    public required string Mode { get; init; }

    /// <summary>Null when free.</summary>
    public decimal? PriceAmount { get; init; }

    public string? PriceCurrency { get; init; }

    /// <summary>
    /// Re-stamps the free future slots of time slot <paramref name="timeSlotId"/> (only <paramref name="doctorId"/>'s,
    /// when a template of theirs changed) whose terms the rule now gives otherwise; the others are not written.
    /// Returns how many changed.
    /// </summary>
    public static Task<int> StampAsync(ClinicDbContext db, long clinicId, long timeSlotId, long? doctorId, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH wanted AS (
                SELECT s.clinic_id, s.id, terms.mode, terms.price_amount, terms.price_currency
                  FROM booking_slots s
                 CROSS JOIN LATERAL slot_terms(s.clinic_id, s.doctor_id, s.time_slot_id, s.date) terms
                 WHERE s.clinic_id = {clinicId} AND s.time_slot_id = {timeSlotId}
                   AND ({doctorId}::bigint IS NULL OR s.doctor_id = {doctorId}::bigint)
                   AND s.customer_id IS NULL AND s.starts_at > now())
            UPDATE booking_slots s
               SET mode = wanted.mode, price_amount = wanted.price_amount, price_currency = wanted.price_currency
              FROM wanted
             -- Re-checked on the row as it is when updated: a slot booked meanwhile keeps its terms.
             WHERE s.clinic_id = wanted.clinic_id AND s.id = wanted.id AND s.customer_id IS NULL
               AND (s.mode, s.price_amount, s.price_currency) IS DISTINCT FROM (wanted.mode, wanted.price_amount, wanted.price_currency)
            """, ct);

    /// <summary>The terms of doctor <paramref name="doctorId"/>'s slot in the shift on <paramref name="date"/> (columns named as the model's snake_case convention reads them).</summary>
    public static Task<SlotTerms> OfAsync(ClinicDbContext db, long clinicId, long doctorId, long timeSlotId, DateOnly date, CancellationToken ct) =>
        db.Database.SqlQuery<SlotTerms>($"""
            SELECT t.mode, t.price_amount, t.price_currency
              FROM slot_terms({clinicId}, {doctorId}, {timeSlotId}, {date}) t
            """).SingleAsync(ct);
}
