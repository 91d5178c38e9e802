using ClinicBooking.ClinicService.Apis;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClinicBooking.ClinicService.Saga;

/// <summary>
/// The booking saga's state changes, each one transaction on the shard: a conditional UPDATE that only a
/// booking in the right state passes (so a late or repeated message changes nothing), plus the outbox
/// message that tells the other side. A slot is held by the same conditional update PostgreSQL would use
/// on its own; the partial unique index <see cref="ClinicDbContext.UniqueActiveBooking"/> and the trigger
/// that frees the slot of a booking that stops being active (<see cref="ShardSchema.Bookings"/>) keep the
/// booking and its slot in step whatever the code does.
/// </summary>
public sealed class BookingSaga(
    ShardDatabases shards, OutboxDispatcher outbox, BookingOutcomes outcomes, HybridCache cache,
    IOptions<BookingOptions> options, TimeProvider clock, ILogger<BookingSaga> logger)
{
    /// <summary>
    /// Holds a free, future slot for the customer with a new pending booking and asks CustomerService to
    /// verify the customer. Null when the slot is not free (taken, held, removed or started).
    /// </summary>
    public async Task<(Booking Booking, Task Decided)?> TryHoldAsync(
        ClinicDbContext db, long slotId, long customerId, string? idempotencyKey, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var now = clock.UtcNowMicroseconds();
        var expiresAt = now + options.Value.HoldTimeout;
        var key = new NpgsqlParameter("key", NpgsqlDbType.Varchar) { Value = (object?)idempotencyKey ?? DBNull.Value };

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var held = await db.Bookings.FromSql($"""
            WITH slot AS (
                UPDATE doctor_booking_slots SET customer_id = {customerId}
                 WHERE clinic_id = {clinicId} AND id = {slotId} AND customer_id IS NULL AND starts_at > {now}
             RETURNING clinic_id, id, doctor_id, starts_at, ends_at)
            INSERT INTO bookings (clinic_id, booking_slot_id, doctor_id, starts_at, ends_at, customer_id, status,
                                  idempotency_key, revision, created_at, expires_at)
            SELECT clinic_id, id, doctor_id, starts_at, ends_at, {customerId}, 'pending', {key}, 1, {now}, {expiresAt}
              FROM slot
            RETURNING *
            """).AsNoTracking().ToListAsync(ct);
        if (held is not [var booking])
        {
            return null;
        }
        db.OutboxMessages.Add(OutboxMessage.Create(new VerifyCustomer(
            booking.Id, customerId, clinicId, slotId, booking.DoctorId, booking.StartsAt, booking.EndsAt, booking.ExpiresAt), now));
        await db.SaveChangesAsync(ct);
        // Watched before the commit: the answer cannot arrive before the question is sent, which is after it.
        var decided = outcomes.Watch(booking.Id);
        await transaction.CommitAsync(ct);
        outbox.Wake();
        await cache.InvalidateClinicAsync(clinicId, ct); // the slot left the availability lists
        return (booking, decided);
    }

    /// <summary>CustomerService's answer: confirms or rejects a pending booking; anything else is a late or repeated answer.</summary>
    public async Task DecideAsync(long bookingId, string? rejectionReason, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(bookingId);
        if (db is null)
        {
            logger.LogWarning("Booking {BookingId} belongs to no shard of this cell; its answer is dropped", bookingId);
            return;
        }
        var clinicId = ClinicIds.ClinicOf(bookingId);
        var now = clock.UtcNowMicroseconds();
        if (rejectionReason?.Length > Booking.ReasonMaxLength)
        {
            rejectionReason = rejectionReason[..Booking.ReasonMaxLength];
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // A hold past its deadline is not confirmed even if the answer is yes: it is the expiry sweep's.
        var changed = rejectionReason is null
            ? await db.Bookings.FromSql($"""
                UPDATE bookings SET status = 'confirmed', confirmed_at = {now}, revision = revision + 1
                 WHERE clinic_id = {clinicId} AND id = {bookingId} AND status = 'pending' AND expires_at > {now}
                RETURNING *
                """).AsNoTracking().ToListAsync(ct)
            : await db.Bookings.FromSql($"""
                UPDATE bookings SET status = 'rejected', rejected_at = {now}, reason = {rejectionReason}, revision = revision + 1
                 WHERE clinic_id = {clinicId} AND id = {bookingId} AND status = 'pending'
                RETURNING *
                """).AsNoTracking().ToListAsync(ct);
        await CommitChangesAsync(db, changed, now, ct);
    }

    /// <summary>Expires the pending bookings of a shard whose hold has run out; returns how many.</summary>
    public async Task<int> ExpireDueAsync(int shard, int limit, CancellationToken ct)
    {
        await using var db = shards.CreateContext(shard);
        var now = clock.UtcNowMicroseconds();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.Bookings.FromSql($"""
            UPDATE bookings SET status = 'expired', expired_at = {now}, revision = revision + 1
             WHERE (clinic_id, id) IN (
                   SELECT clinic_id, id FROM bookings
                    WHERE status = 'pending' AND expires_at <= {now}
                    ORDER BY expires_at LIMIT {limit}
                      FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().ToListAsync(ct);
        await CommitChangesAsync(db, changed, now, ct);
        return changed.Count;
    }

    /// <summary>Cancels the slot's active booking if its appointment has not started; null when there is none to cancel.</summary>
    public async Task<Booking?> CancelAsync(ClinicDbContext db, long slotId, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var now = clock.UtcNowMicroseconds();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.Bookings.FromSql($"""
            UPDATE bookings SET status = 'cancelled', cancelled_at = {now}, revision = revision + 1
             WHERE clinic_id = {clinicId} AND booking_slot_id = {slotId} AND status IN ('pending', 'confirmed')
               AND starts_at > {now}
            RETURNING *
            """).AsNoTracking().ToListAsync(ct);
        await CommitChangesAsync(db, changed, now, ct);
        return changed.FirstOrDefault();
    }

    /// <summary>Writes the status events of what changed, commits, then wakes the outbox and any waiting request.</summary>
    private async Task CommitChangesAsync(ClinicDbContext db, List<Booking> changed, DateTimeOffset now, CancellationToken ct)
    {
        if (changed.Count == 0)
        {
            return; // nothing matched: the transaction rolls back with nothing in it
        }
        foreach (var booking in changed)
        {
            db.OutboxMessages.Add(OutboxMessage.Create(StatusChanged(booking, now), now));
        }
        await db.SaveChangesAsync(ct);
        await db.Database.CommitTransactionAsync(ct);
        outbox.Wake();
        foreach (var booking in changed)
        {
            outcomes.Decided(booking.Id);
        }
        foreach (var clinicId in changed.Where(b => !b.IsActive).Select(b => b.ClinicId).Distinct())
        {
            await cache.InvalidateClinicAsync(clinicId, ct); // the slot is free again
        }
    }

    public static BookingStatusChanged StatusChanged(Booking b, DateTimeOffset now) =>
        new(b.Id, b.CustomerId, b.ClinicId, b.BookingSlotId, b.DoctorId, b.StartsAt, b.EndsAt, b.Status, b.Revision, now, b.Reason);
}
