using ClinicBooking.Messages;
using ClinicBooking.NotificationService.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.NotificationService.Bookings;

/// <summary>
/// The cells' booking changes: each keeps the appointment at its newest revision and queues what the change
/// tells its customer (a confirmation and its reminders, a cancellation). Whether it still goes out is decided
/// when it is due (<see cref="Dispatch.NotificationDispatcher"/>), against the appointment as it is then. Idempotent: an older
/// or repeated change updates nothing, and each kind is queued once per booking (a unique index).
/// </summary>
public sealed class BookingStatusChangesConsumer(NotificationDbContext db, IOptions<ReminderOptions> reminders, TimeProvider clock)
    : IConsumer<BookingStatusChanges>
{
    public Task Consume(ConsumeContext<BookingStatusChanges> context) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(context.CancellationToken);
            foreach (var change in context.Message.Changes.Select(c => c.Message))
            {
                await RecordAsync(db, change, reminders.Value, clock.GetUtcNow(), context.CancellationToken);
            }
            await transaction.CommitAsync(context.CancellationToken);
        });

    internal static async Task RecordAsync(NotificationDbContext db, BookingStatusChanged change, ReminderOptions reminders, DateTimeOffset now, CancellationToken ct)
    {
        // Times are written as instants (UTC); the messages may carry the clinic's offset.
        now = now.ToUniversalTime();
        var status = change.Status.ToName();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO appointments (booking_id, clinic_id, customer_id, doctor_id, starts_at, ends_at, time_zone, status, revision, reason, changed_at, mode)
            VALUES ({change.BookingId}, {change.ClinicId}, {change.CustomerId}, {change.DoctorId}, {change.StartsAt.ToUniversalTime()},
                    {change.EndsAt.ToUniversalTime()}, {change.TimeZone}, {status}, {change.Revision}, {change.Reason}, {change.ChangedAt.ToUniversalTime()},
                    {change.Mode})
            ON CONFLICT (booking_id) DO UPDATE SET
                starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, time_zone = EXCLUDED.time_zone, status = EXCLUDED.status, mode = EXCLUDED.mode,
                revision = EXCLUDED.revision, reason = EXCLUDED.reason, changed_at = EXCLUDED.changed_at
            WHERE appointments.revision < EXCLUDED.revision
            """, ct);
        switch (change.Status)
        {
            case BookingStatus.Confirmed:
                await QueueAsync(db, change.BookingId, NotificationKind.Confirmation, leadMinutes: 0, now, now, ct);
                // The clinic's own lead times where its staff set them.
                var clinicLeads = await db.ClinicSettings.AsNoTracking().Where(c => c.ClinicId == change.ClinicId)
                    .Select(c => c.ReminderLeadHours).SingleOrDefaultAsync(ct);
                var leads = clinicLeads is null ? reminders.LeadsOrDefault : [.. clinicLeads.Select(h => TimeSpan.FromHours(h))];
                foreach (var reminder in Reminders.Of(change.StartsAt, change.TimeZone, leads, reminders, now))
                {
                    await QueueAsync(db, change.BookingId, NotificationKind.Reminder, reminder.LeadMinutes, reminder.DueAt, reminder.NotBefore, ct);
                }
                break;
            case BookingStatus.Cancelled:
                await QueueAsync(db, change.BookingId, NotificationKind.Cancellation, leadMinutes: 0, now, now, ct);
                break;
        }
    }

    /// <summary>
    /// Queues the notification on every channel; whether the customer wants it on each (and has a phone) is
    /// decided when it is due. One that is queued already (the unique index) stays as it is.
    /// </summary>
    private static Task QueueAsync(NotificationDbContext db, long bookingId, NotificationKind kind, int leadMinutes,
        DateTimeOffset dueAt, DateTimeOffset notBefore, CancellationToken ct)
    {
        var name = kind.ToString();
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO notifications (booking_id, kind, channel, lead_minutes, status, due_at, not_before, attempts)
            SELECT {bookingId}, {name}, channel, {leadMinutes}, 'Queued', {dueAt}, {notBefore}, 0
            FROM unnest({Channels}) AS channel
            ON CONFLICT DO NOTHING
            """, ct);
    }

    private static readonly string[] Channels = Enum.GetNames<NotificationChannel>();
}

/// <summary>CustomerService's word on how to reach a customer: the newest change wins, a repeat changes nothing.</summary>
public sealed class CustomerContactConsumer(NotificationDbContext db) : IConsumer<CustomerContactChanged>
{
    public Task Consume(ConsumeContext<CustomerContactChanged> context)
    {
        var c = context.Message;
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO recipients (customer_id, name, email, phone, is_active, changed_at)
            VALUES ({c.CustomerId}, {c.Name}, {c.Email}, {c.Phone}, {c.IsActive}, {c.ChangedAt.ToUniversalTime()})
            ON CONFLICT (customer_id) DO UPDATE SET
                name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone, is_active = EXCLUDED.is_active, changed_at = EXCLUDED.changed_at
            WHERE recipients.changed_at < EXCLUDED.changed_at
            """, context.CancellationToken);
    }
}
