using ClinicBooking.Contracts.Access;
using System.Diagnostics;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Outbox;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>
/// The customer-verify-then-book saga, whole: a booking's states and transitions, and the wait for its
/// decision. A booking starts <c>pending</c>, holding its slot, with a question to CustomerService in the
/// outbox (<see cref="BookAsync"/>); CustomerService's verdict confirms or rejects it (<see cref="DecideAsync"/>);
/// a hold nobody decided in time expires (<see cref="ExpireDueAsync"/>); an active one can be cancelled
/// (<see cref="CancelAsync"/>). Every transition is one SQL statement on the shard, so one implicit
/// transaction and one round trip: a conditional UPDATE that only a booking in the right state passes (so a
/// late or repeated message changes nothing), and, in the same statement, the outbox row that tells the other
/// side (<see cref="OutboxWriter"/>), handed to its <see cref="OutboxChannel{T}"/> once committed. The partial
/// unique index <see cref="ClinicDbContext.UniqueActiveBooking"/> and the triggers of
/// <see cref="ShardSchema.Bookings"/> (forward-only statuses; a booking that stops being active frees its
/// slot) hold whatever the code does. This is the hot path of booking, so it talks to Npgsql directly.
/// </summary>
public sealed class BookingSaga(
    ShardDatabases shards, OutboxChannel<VerifyCustomer> questions, OutboxChannel<BookingStatusChanged> events, BookingOutcomes outcomes, CacheInvalidationQueue cache,
    IOptions<BookingOptions> options, ILogger<BookingSaga> logger)
{
    /// <summary>Where a booking request ended: its booking, and its clinic's time zone to show its times in.</summary>
    public sealed record Outcome(Booking Booking, string TimeZone);

    private sealed record Hold(Booking Booking, string TimeZone, Task<Booking> Decided);

    public static readonly ActivitySource ActivitySource = new("ClinicBooking.Saga");

    /// <summary>
    /// Books the slot for the customer and waits a short while (<see cref="BookingOptions.ResponseWait"/>) for
    /// the decision; a booking still pending then is returned as it is. A repeat of an earlier request (same
    /// Idempotency-Key, or the same customer while their booking of this slot is active) gets that request's
    /// booking, never a second one. Throws the problem that says why not when the slot cannot be booked.
    /// </summary>
    public async Task<Outcome> BookAsync(long slotId, long customerId, string bookedBy, string? idempotencyKey, string actor, CancellationToken ct)
    {
        // Optimistic: most requests find the slot free, and that takes one statement.
        if (await TryHoldAsync(slotId, customerId, bookedBy, idempotencyKey, actor, ct) is { } hold)
        {
            return new Outcome(await WaitForDecisionAsync(hold.Booking, hold.Decided, ct), hold.TimeZone);
        }
        // Not free. It may be this request's own earlier booking (a repeat, or a concurrent twin).
        await using var db = shards.CreateContext(ShardOf(slotId));
        var earlier = await FindEarlierAsync(db, slotId, customerId, idempotencyKey, ct) ?? throw await SlotNotFreeAsync(db, slotId, ct);
        if (earlier.CustomerId != customerId)
        {
            throw BookingProblems.KeyReused(earlier);
        }
        var booking = earlier;
        if (booking.Status == BookingStatus.Pending)
        {
            // Watch first, then look again, so a decision in between is not missed.
            var decided = outcomes.Watch(booking.Id);
            booking = await WaitForDecisionAsync(await ReadAsync(db, booking, ct), decided, ct);
        }
        return new Outcome(booking, await db.ClinicTimeZoneAsync(booking.ClinicId, ct) ?? throw Missing.Clinic(booking.ClinicId));
    }

    /// <summary>
    /// Cancels the booking (pending or confirmed) if its appointment has not started, and frees its slot. A
    /// cancel names its booking, so a replay finds it already cancelled and changes nothing (it answers the
    /// booking as it stands), and can never reach a later booking of the same slot. A 404 problem when there
    /// is no such booking, a 409 when it ended otherwise (rejected, expired) or its appointment has started.
    /// </summary>
    public async Task<Outcome> CancelAsync(long bookingId, string actor, CancellationToken ct)
    {
        var (clinicId, shard) = (ClinicIds.ClinicOf(bookingId), ShardOf(bookingId));
        await using var command = Transition(shard, "status = 'cancelled', cancelled_at = now()", """
            clinic_id = @clinic AND id = @id AND status IN ('pending', 'confirmed') AND starts_at > now()
            """, actor: actor);
        command.Parameters.AddWithValue("clinic", clinicId);
        command.Parameters.AddWithValue("id", bookingId);
        var cancelled = (await RunTransitionAsync(shard, command, ct)).FirstOrDefault();
        await using var db = shards.CreateContext(shard);
        var timeZone = await db.ClinicTimeZoneAsync(clinicId, ct) ?? throw Missing.Booking(bookingId);
        var booking = cancelled ?? await db.Bookings.AsNoTracking()
            .FirstOrDefaultAsync(b => b.ClinicId == clinicId && b.Id == bookingId, ct) ?? throw Missing.Booking(bookingId);
        return booking.Status switch
        {
            BookingStatus.Cancelled => new Outcome(booking, timeZone),
            BookingStatus.Pending or BookingStatus.Confirmed => throw ProblemException.Conflict(
                $"The appointment of booking {bookingId} has already started; it can no longer be cancelled."),
            var ended => throw ProblemException.Conflict(
                $"Booking {bookingId} is {ended.ToName()}; only a pending or confirmed booking can be cancelled."),
        };
    }

    /// <summary>
    /// Holds a free, future slot for the customer with a new pending booking and, in the same statement,
    /// queues the question to CustomerService. Null when the slot is not free (taken, held, removed or
    /// started) or the Idempotency-Key was used before for this slot.
    /// </summary>
    private async Task<Hold?> TryHoldAsync(long slotId, long customerId, string bookedBy, string? idempotencyKey, string actor, CancellationToken ct)
    {
        var (clinicId, shard) = (ClinicIds.ClinicOf(slotId), ShardOf(slotId));
        await using var command = shards.DataSource(shard).CreateCommand($"""
            WITH slot AS (
                UPDATE doctor_booking_slots SET customer_id = @customer
                 WHERE clinic_id = @clinic AND id = @slot AND customer_id IS NULL AND starts_at > now()
             RETURNING clinic_id, id, doctor_id, starts_at, ends_at),
            b AS (
                INSERT INTO bookings (clinic_id, booking_slot_id, doctor_id, starts_at, ends_at, customer_id, status,
                                      idempotency_key, revision, created_at, expires_at, booked_by)
                SELECT clinic_id, id, doctor_id, starts_at, ends_at, @customer, 'pending', @key, 1, now(), now() + @hold, @bookedBy
                  FROM slot
             RETURNING *),
            audit AS (
                INSERT INTO booking_audit (clinic_id, booking_id, at, actor, action)
                SELECT clinic_id, id, now(), @actor, 'booking.created' FROM b),
            outbox AS ({OutboxWriter.Insert(OutboxKind.VerifyCustomer, "b", "@trace")})
            SELECT b.*, {OutboxWriter.Columns}, c.time_zone, c.max_active_bookings_per_customer
              FROM b JOIN outbox ON outbox.outbox_booking_id = b.id JOIN clinics c ON c.id = b.clinic_id
            """);
        command.Parameters.AddWithValue("customer", customerId);
        command.Parameters.AddWithValue("clinic", clinicId);
        command.Parameters.AddWithValue("slot", slotId);
        command.Parameters.AddWithValue("hold", options.Value.HoldTimeout);
        command.Parameters.AddWithValue("bookedBy", bookedBy);
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Varchar) { Value = (object?)idempotencyKey ?? DBNull.Value });
        AddTrace(command);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            var booking = ReadBooking(reader);
            var question = OutboxWriter.Read(reader);
            var timeZone = reader.GetString(reader.GetOrdinal("time_zone"));
            var cap = reader.GetFieldValue<int?>(reader.GetOrdinal("max_active_bookings_per_customer"));
            // Watched before the question is sent, so the answer cannot come first.
            var decided = outcomes.Watch(booking.Id);
            questions.Send(question.Carrying(shard, BookingMessages.VerifyCustomer(booking, timeZone, cap)));
            cache.InvalidateClinic(clinicId); // the slot left the availability lists
            return new Hold(booking, timeZone, decided);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // The key was used before (its booking has since ended), or a booking raced this one: not free.
            return null;
        }
    }

    /// <summary>The pending booking once decided, or as it stands when the wait is over; stops watching a decided one.</summary>
    private async Task<Booking> WaitForDecisionAsync(Booking booking, Task<Booking> decided, CancellationToken ct)
    {
        if (booking.Status != BookingStatus.Pending)
        {
            outcomes.Unwatch(booking.Id, decided);
            return booking;
        }
        if (await outcomes.WaitAsync(booking.Id, decided, options.Value.ResponseWait, ct) is { } decision)
        {
            return decision;
        }
        await using var db = shards.CreateContext(ShardOf(booking.Id));
        return await ReadAsync(db, booking, ct);
    }

    /// <summary>
    /// CustomerService's verdicts: confirms or rejects the pending bookings they are about, one statement per
    /// shard; a verdict about a booking that is no longer pending is a late or repeated answer and changes
    /// nothing. A hold past its deadline is not confirmed even if the answer is yes: it is the expiry sweep's.
    /// </summary>
    public Task DecideAsync(IReadOnlyList<Traced<CustomerVerdict>> verdicts, CancellationToken ct) =>
        BatchTracing.HandleItemsAsync(ActivitySource, "decide booking", verdicts, async spans =>
        {
            var byShard = verdicts.Select((verdict, i) => (Verdict: verdict.Message, Trace: BatchTracing.TraceParentOf(spans, verdicts, i)))
                .GroupBy(v => ClinicIds.ShardOf(v.Verdict.BookingId, scoped: true));
            foreach (var shardVerdicts in byShard)
            {
                if (shardVerdicts.Key is not { } shard || !shards.Owns(shard))
                {
                    logger.LogWarning("Bookings {BookingIds} belong to no shard of this cell; their verdicts are dropped",
                        shardVerdicts.Select(v => v.Verdict.BookingId));
                    continue;
                }
                // In booking order, so that concurrent batches lock their rows in the same order. A "yes" for a
                // customer this shard has since heard was deactivated is a "no" (the customer stands as they
                // stand now, not as when the question was answered).
                var ordered = shardVerdicts.OrderBy(v => v.Verdict.BookingId).ToList();
                const string inactive = "EXISTS (SELECT 1 FROM customer_standings s WHERE s.customer_id = bookings.customer_id AND NOT s.is_active)";
                await using var command = Transition(shard, $"""
                    status = CASE WHEN d.reason IS NULL AND NOT {inactive} THEN 'confirmed' ELSE 'rejected' END,
                    confirmed_at = CASE WHEN d.reason IS NULL AND NOT {inactive} THEN now() END,
                    rejected_at = CASE WHEN d.reason IS NULL AND NOT {inactive} THEN NULL ELSE now() END,
                    reason = coalesce(d.reason, CASE WHEN {inactive} THEN '{CustomerVerdict.InactiveCustomer}' END)
                    """, """
                    bookings.clinic_id = d.clinic_id AND bookings.id = d.id AND bookings.status = 'pending'
                    AND (d.reason IS NOT NULL OR bookings.expires_at > now())
                    """,
                    from: "unnest(@clinics, @ids, @reasons, @traces) AS d (clinic_id, id, reason, trace)",
                    trace: "d.trace");
                command.Parameters.AddWithValue("clinics", ordered.Select(v => ClinicIds.ClinicOf(v.Verdict.BookingId)).ToArray());
                command.Parameters.AddWithValue("ids", ordered.Select(v => v.Verdict.BookingId).ToArray());
                command.Parameters.Add(new NpgsqlParameter("reasons", NpgsqlDbType.Array | NpgsqlDbType.Varchar)
                {
                    Value = ordered.Select(v => Truncate(v.Verdict.RejectionReason)).ToArray(),
                });
                command.Parameters.Add(new NpgsqlParameter("traces", NpgsqlDbType.Array | NpgsqlDbType.Varchar)
                {
                    Value = ordered.Select(v => v.Trace).ToArray(),
                });
                await RunTransitionAsync(shard, command, ct);
            }
        });

    /// <summary>
    /// CustomerService's word that a customer was deactivated or reactivated: every owned shard keeps the newest
    /// standing, and for a deactivation ends the customer's active bookings whose appointment has not started,
    /// freeing their slots, each with its status event: a confirmed one is cancelled (reason
    /// <see cref="CustomerStatusChanged.DeactivatedReason"/>), a pending one rejected as its verdict would
    /// have been (<see cref="CustomerVerdict.InactiveCustomer"/>). A repeated or older change changes nothing.
    /// </summary>
    public async Task ApplyCustomerStatusAsync(CustomerStatusChanged change, CancellationToken ct)
    {
        foreach (var shard in shards.Shards)
        {
            await using (var upsert = shards.DataSource(shard).CreateCommand("""
                INSERT INTO customer_standings (customer_id, is_active, changed_at) VALUES (@customer, @active, @changed)
                ON CONFLICT (customer_id) DO UPDATE SET is_active = excluded.is_active, changed_at = excluded.changed_at
                 WHERE customer_standings.changed_at < excluded.changed_at
                """))
            {
                upsert.Parameters.AddWithValue("customer", change.CustomerId);
                upsert.Parameters.AddWithValue("active", change.IsActive);
                upsert.Parameters.AddWithValue("changed", change.ChangedAt.ToUniversalTime());
                await upsert.ExecuteNonQueryAsync(ct);
            }
            if (change.IsActive)
            {
                continue;
            }
            // A pending booking ends as its verdict would have ended it (rejected: inactive customer), whichever
            // comes first; a confirmed one, an appointment, is cancelled and says why.
            await using var cancel = Transition(shard, $"""
                status = CASE status WHEN 'pending' THEN 'rejected' ELSE 'cancelled' END,
                rejected_at = CASE status WHEN 'pending' THEN now() END,
                cancelled_at = CASE status WHEN 'pending' THEN NULL ELSE now() END,
                reason = CASE status WHEN 'pending' THEN '{CustomerVerdict.InactiveCustomer}' ELSE '{CustomerStatusChanged.DeactivatedReason}' END
                """, """
                customer_id = @customer AND status IN ('pending', 'confirmed') AND starts_at > now()
                AND EXISTS (SELECT 1 FROM customer_standings s WHERE s.customer_id = @customer AND NOT s.is_active)
                """);
            cancel.Parameters.AddWithValue("customer", change.CustomerId);
            var cancelled = await RunTransitionAsync(shard, cancel, ct);
            if (cancelled.Count > 0)
            {
                logger.LogInformation("Cancelled {Count} bookings of deactivated customer {CustomerId} in shard {Shard}",
                    cancelled.Count, change.CustomerId, shard);
            }
        }
    }

    private static string? Truncate(string? reason) =>
        reason?.Length > Booking.ReasonMaxLength ? reason[..Booking.ReasonMaxLength] : reason;

    /// <summary>Expires the pending bookings of a shard whose hold has run out; returns how many.</summary>
    public async Task<int> ExpireDueAsync(int shard, int limit, CancellationToken ct)
    {
        await using var command = Transition(shard, "status = 'expired', expired_at = now()", """
            (clinic_id, id) IN (
                SELECT clinic_id, id FROM bookings
                 WHERE status = 'pending' AND expires_at <= now()
                 ORDER BY expires_at LIMIT @limit
                   FOR UPDATE SKIP LOCKED)
            """);
        command.Parameters.AddWithValue("limit", limit);
        return (await RunTransitionAsync(shard, command, ct)).Count;
    }

    /// <summary>
    /// One statement: move the matching bookings on, and queue a status event for each. The event joins the
    /// current trace, or with <paramref name="from"/> (rows to update from) the trace that <paramref name="trace"/>
    /// names per row.
    /// </summary>
    /// <summary>
    /// One change of status for the bookings <paramref name="where"/> selects, with its outbox event and its audit
    /// record (<paramref name="actor"/> did it: the caller, or the saga itself), in one statement.
    /// </summary>
    private NpgsqlCommand Transition(int shard, string set, string where, string? from = null, string trace = "@trace",
        string actor = Caller.SystemActor)
    {
        var command = shards.DataSource(shard).CreateCommand($"""
            WITH b AS (
                UPDATE bookings SET {set}, revision = revision + 1
                  {(from is null ? "" : $"FROM {from}")}
                 WHERE {where}
             RETURNING bookings.*, {trace} AS trace),
            audit AS (
                INSERT INTO booking_audit (clinic_id, booking_id, at, actor, action)
                SELECT clinic_id, id, now(), @actor, 'booking.' || status FROM b),
            outbox AS ({OutboxWriter.Insert(OutboxKind.BookingStatusChanged, "b", "b.trace")})
            SELECT b.*, {OutboxWriter.Columns}, c.time_zone
              FROM b JOIN outbox ON outbox.outbox_booking_id = b.id JOIN clinics c ON c.id = b.clinic_id
            """);
        if (from is null)
        {
            AddTrace(command);
        }
        command.Parameters.AddWithValue("actor", actor);
        return command;
    }

    /// <summary>Runs a transition (committed on return), then sends its events and wakes any waiting request.</summary>
    private async Task<List<Booking>> RunTransitionAsync(int shard, NpgsqlCommand command, CancellationToken ct)
    {
        var changed = new List<Booking>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var booking = ReadBooking(reader);
                changed.Add(booking);
                var timeZone = reader.GetString(reader.GetOrdinal("time_zone"));
                events.Send(OutboxWriter.Read(reader).Carrying(shard, BookingMessages.StatusChanged(booking, timeZone)));
            }
        }
        foreach (var booking in changed)
        {
            outcomes.Decided(booking);
        }
        foreach (var clinicId in changed.Where(b => !b.IsActive).Select(b => b.ClinicId).Distinct())
        {
            cache.InvalidateClinic(clinicId); // the slot is free again
        }
        return changed;
    }

    /// <summary>
    /// The booking an earlier request made: the one with this Idempotency-Key, or else this customer's
    /// active booking of the slot.
    /// </summary>
    private static async Task<Booking?> FindEarlierAsync(
        ClinicDbContext db, long slotId, long customerId, string? idempotencyKey, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var ofSlot = db.Bookings.AsNoTracking().Where(b => b.ClinicId == clinicId && b.BookingSlotId == slotId);
        if (idempotencyKey is not null && await ofSlot.FirstOrDefaultAsync(b => b.IdempotencyKey == idempotencyKey, ct) is { } keyed)
        {
            return keyed;
        }
        return await ofSlot.FirstOrDefaultAsync(b => b.CustomerId == customerId
            && (b.Status == BookingStatus.Pending || b.Status == BookingStatus.Confirmed), ct);
    }

    /// <summary>Why a slot could not be held: gone, started, held by a pending booking, or booked.</summary>
    private async Task<ProblemException> SlotNotFreeAsync(ClinicDbContext db, long slotId, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var slot = await db.BookingSlots.AsNoTracking()
            .Where(s => s.ClinicId == clinicId && s.Id == slotId)
            // "Started" by the database's clock, the one the hold itself was refused by.
            .Select(s => new { Started = s.StartsAt <= DateTimeOffset.UtcNow, s.CustomerId })
            .FirstOrDefaultAsync(ct);
        if (slot is null)
        {
            return ProblemException.Conflict($"Booking slot {slotId} does not exist or has been removed.");
        }
        if (slot.Started)
        {
            return ProblemException.Conflict($"Booking slot {slotId} has already started; only future slots can be booked.");
        }
        var pending = await db.Bookings.AnyAsync(b => b.ClinicId == clinicId && b.BookingSlotId == slotId && b.Status == BookingStatus.Pending, ct);
        return pending
            ? ProblemException.Conflict($"Booking slot {slotId} is held by another booking that is being confirmed.")
            : ProblemException.Conflict($"Booking slot {slotId} is already booked.");
    }

    private static Task<Booking> ReadAsync(ClinicDbContext db, Booking booking, CancellationToken ct) =>
        db.Bookings.AsNoTracking().SingleAsync(b => b.ClinicId == booking.ClinicId && b.Id == booking.Id, ct);

    private static int ShardOf(long scopedId) => ClinicIds.ShardOfClinic(ClinicIds.ClinicOf(scopedId));

    private static void AddTrace(NpgsqlCommand command) =>
        command.Parameters.Add(new NpgsqlParameter("trace", NpgsqlDbType.Varchar) { Value = (object?)Activity.Current?.Id ?? DBNull.Value });

    private static Booking ReadBooking(NpgsqlDataReader r)
    {
        DateTimeOffset? Instant(string column) =>
            r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetFieldValue<DateTimeOffset>(r.GetOrdinal(column));
        string? Text(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetString(r.GetOrdinal(column));
        return new Booking
        {
            ClinicId = r.GetInt64(r.GetOrdinal("clinic_id")),
            RowNumber = r.GetInt64(r.GetOrdinal("row_no")),
            Id = r.GetInt64(r.GetOrdinal("id")),
            BookingSlotId = r.IsDBNull(r.GetOrdinal("booking_slot_id")) ? null : r.GetInt64(r.GetOrdinal("booking_slot_id")),
            DoctorId = r.GetInt64(r.GetOrdinal("doctor_id")),
            StartsAt = Instant("starts_at")!.Value,
            EndsAt = Instant("ends_at")!.Value,
            CustomerId = r.GetInt64(r.GetOrdinal("customer_id")),
            Status = BookingStatusNames.Parse(r.GetString(r.GetOrdinal("status"))),
            IdempotencyKey = Text("idempotency_key"),
            Revision = r.GetInt32(r.GetOrdinal("revision")),
            CreatedAt = Instant("created_at")!.Value,
            ExpiresAt = Instant("expires_at")!.Value,
            ConfirmedAt = Instant("confirmed_at"),
            RejectedAt = Instant("rejected_at"),
            ExpiredAt = Instant("expired_at"),
            CancelledAt = Instant("cancelled_at"),
            Reason = Text("reason"),
            BookedBy = r.GetString(r.GetOrdinal("booked_by")),
        };
    }
}
