using ClinicBooking.ConsultationService.Data;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ConsultationService.Consultations;

/// <summary>
/// The cells' booking changes: an online booking that is confirmed gets a consultation, and one that is
/// cancelled (or moved) changes it; in-person bookings are not this service's. Only the row is written here, at the
/// booking's newest revision (an older or repeated message changes nothing); the video service is called by
/// <see cref="Meetings.MeetingScheduler"/>, so a provider's outage never holds a message, let alone a booking.
/// </summary>
public sealed class BookingChangesConsumer(ConsultationDbContext db, TimeProvider clock) : IConsumer<BookingStatusChanges>
{
    public Task Consume(ConsumeContext<BookingStatusChanges> context) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
            foreach (var change in context.Message.Changes.Select(c => c.Message))
            {
                await RecordAsync(db, change, clock.GetUtcNow(), context.CancellationToken);
            }
            await transaction.CommitAsync(context.CancellationToken);
        });

    internal static Task RecordAsync(ConsultationDbContext db, BookingStatusChanged change, DateTimeOffset now, CancellationToken ct)
    {
        // Pending is not yet an appointment; rejected and expired ones never were.
        if (!change.IsOnline || change.Status is not (BookingStatus.Confirmed or BookingStatus.Cancelled))
        {
            return Task.CompletedTask;
        }
        var active = change.Status == BookingStatus.Confirmed;
        now = now.ToUniversalTime();
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO consultations (booking_id, clinic_id, customer_id, doctor_id, booking_slot_id, starts_at, ends_at, time_zone,
                                       is_active, revision, synced_revision, meeting_cancelled, attempts, next_attempt_at, created_at, updated_at)
            VALUES ({change.BookingId}, {change.ClinicId}, {change.CustomerId}, {change.DoctorId}, {change.BookingSlotId},
                    {change.StartsAt.ToUniversalTime()}, {change.EndsAt.ToUniversalTime()}, {change.TimeZone},
                    {active}, {change.Revision}, 0, false, 0, {now}, {now}, {now})
            ON CONFLICT (booking_id) DO UPDATE SET
                starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, time_zone = EXCLUDED.time_zone,
                booking_slot_id = COALESCE(EXCLUDED.booking_slot_id, consultations.booking_slot_id),
                is_active = EXCLUDED.is_active, revision = EXCLUDED.revision,
                attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at, updated_at = EXCLUDED.updated_at
            WHERE consultations.revision < EXCLUDED.revision
            """, ct);
    }
}
