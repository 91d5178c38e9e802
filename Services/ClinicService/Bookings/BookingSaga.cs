using ClinicBooking.Contracts.Access;
using System.Diagnostics;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Outbox;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.Contracts.Consultations;
using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>
/// The customer-verify-then-book saga: applies the booking's transitions, declared in <see cref="BookingLifecycle"/>,
/// and waits for a decision. A booking starts <c>pending</c>, holding its slot, with a question to CustomerService in the
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

    /// <summary>The bookings a statement returns, read by EF Core's mapping of <see cref="Booking"/>.</summary>
    private readonly EntityRows<Booking> _bookings = new(shards.Model());

    /// <summary>
    /// Books the slot for the customer and waits a short while (<see cref="BookingOptions.ResponseWait"/>) for
    /// the decision; a booking still pending then is returned as it is. A repeat of an earlier request (same
    /// Idempotency-Key, or the same customer while their booking of this slot is active) gets that request's
    /// booking, never a second one. Throws the problem that says why not when the slot cannot be booked.
    /// </summary>
    public async Task<Outcome> BookAsync(long slotId, long customerId, string bookedBy, string? mode, string? idempotencyKey, string actor, CancellationToken ct)
    {
        // Optimistic: most requests find the slot free, and that takes one statement.
        if (await TryHoldAsync(slotId, customerId, bookedBy, mode, idempotencyKey, actor, ct) is { } hold)
        {
            return new Outcome(await WaitForDecisionAsync(hold.Booking, hold.Decided, ct), hold.TimeZone);
        }
        // Not free. It may be this request's own earlier booking (a repeat, or a concurrent twin).
        await using var db = shards.CreateContext(ShardOf(slotId));
        var earlier = await FindEarlierAsync(db, slotId, customerId, idempotencyKey, ct) ?? throw await SlotNotFreeAsync(db, slotId, mode, ct);
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
    public async Task<Outcome> CancelAsync(long bookingId, string actor, string reason, CancellationToken ct)
    {
        var (clinicId, shard) = (ClinicIds.ClinicOf(bookingId), ShardOf(bookingId));
        var cancelled = (await RunAsync(shard, BookingEvent.CancelRequested, [new(clinicId, bookingId, reason, CurrentTrace)], actor, ct))
            .FirstOrDefault();
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
    /// Cancels many bookings for one cause (a doctor's absence): each as a caller's cancel with
    /// <paramref name="reason"/>, one statement per shard; one that has started or ended already stays as it is.
    /// Returns how many it cancelled.
    /// </summary>
    public async Task<int> CancelManyAsync(IReadOnlyList<long> bookingIds, string actor, string reason, CancellationToken ct)
    {
        var cancelled = 0;
        foreach (var shard in bookingIds.GroupBy(ShardOf))
        {
            cancelled += (await RunAsync(shard.Key, BookingEvent.CancelRequested,
                [.. shard.Select(id => new Target(ClinicIds.ClinicOf(id), id, reason, CurrentTrace))], actor, ct)).Count;
        }
        return cancelled;
    }

    /// <summary>
    /// Holds a free, future slot for the customer with a new pending booking and, in the same statement,
    /// queues the question to CustomerService. Null when the slot is not free (taken, held, removed or
    /// started) or the Idempotency-Key was used before for this slot.
    /// </summary>
    private async Task<Hold?> TryHoldAsync(long slotId, long customerId, string bookedBy, string? mode, string? idempotencyKey, string actor, CancellationToken ct)
    {
        var (clinicId, shard) = (ClinicIds.ClinicOf(slotId), ShardOf(slotId));
        await using var command = shards.DataSource(shard).CreateCommand(HoldSql);
        var request = BookingLifecycle.Request;
        command.Parameters.AddWithValue("status", request.To.ToName());
        command.Parameters.AddWithValue("audit_action", request.AuditAction);
        command.Parameters.AddWithValue("message_type", request.Message);
        command.Parameters.AddWithValue("customer", customerId);
        command.Parameters.AddWithValue("clinic", clinicId);
        command.Parameters.AddWithValue("slot", slotId);
        command.Parameters.AddWithValue("hold", options.Value.HoldTimeout);
        command.Parameters.AddWithValue("bookedBy", bookedBy);
        command.Parameters.Add(new NpgsqlParameter("mode", NpgsqlDbType.Varchar) { Value = (object?)mode ?? DBNull.Value });
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Varchar) { Value = (object?)idempotencyKey ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("trace", NpgsqlDbType.Varchar) { Value = (object?)CurrentTrace ?? DBNull.Value });
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            var booking = _bookings.Read(reader);
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
    /// shard and kind of verdict (yes, no); a verdict about a booking that is no longer pending is a late or repeated answer and changes
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
                // customer this shard has since heard was deactivated is a "no" (the lifecycle's guards: the
                // customer stands as they stand now, not as when the question was answered).
                var targets = shardVerdicts.OrderBy(v => v.Verdict.BookingId)
                    .Select(v => new Target(ClinicIds.ClinicOf(v.Verdict.BookingId), v.Verdict.BookingId, Truncate(v.Verdict.RejectionReason), v.Trace))
                    .ToList();
                await RunAsync(shard, BookingEvent.CustomerVerified, [.. targets.Where(t => t.Reason is null)], Caller.SystemActor, ct);
                await RunAsync(shard, BookingEvent.CustomerRefused, [.. targets.Where(t => t.Reason is not null)], Caller.SystemActor, ct);
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
            // comes first; a confirmed one, an appointment, is cancelled and says why (the lifecycle's rows).
            await using var db = shards.CreateContext(shard);
            var active = await db.Bookings.AsNoTracking()
                .Where(b => b.CustomerId == change.CustomerId).Where(Booking.Active)
                .Select(b => new Target(b.ClinicId, b.Id, null, CurrentTrace))
                .ToListAsync(ct);
            var cancelled = await RunAsync(shard, BookingEvent.CustomerDeactivated, active, Caller.SystemActor, ct);
            if (cancelled.Count > 0)
            {
                logger.LogInformation("Cancelled {Count} bookings of deactivated customer {CustomerId} in shard {Shard}",
                    cancelled.Count, change.CustomerId, shard);
            }
        }
    }

    private static string? Truncate(string? reason) =>
        reason?.Length > Booking.ReasonMaxLength ? reason[..Booking.ReasonMaxLength] : reason;

    /// <summary>
    /// PaymentService's word that bookings awaiting payment were paid: each is confirmed if it still awaits payment
    /// (one statement per shard); one that ended meanwhile stays as it is (its status tells PaymentService to return
    /// the money). A repeated message changes nothing.
    /// </summary>
    public async Task PayAsync(IReadOnlyList<BookingPaid> payments, CancellationToken ct)
    {
        foreach (var shard in payments.GroupBy(p => ClinicIds.ShardOf(p.BookingId, scoped: true)))
        {
            if (shard.Key is not { } number || !shards.Owns(number))
            {
                continue; // another cell's booking: every cell hears every payment
            }
            await RunAsync(number, BookingEvent.PaymentReceived,
                [.. shard.OrderBy(p => p.BookingId).Select(p => new Target(ClinicIds.ClinicOf(p.BookingId), p.BookingId, null, CurrentTrace))],
                Caller.SystemActor, ct);
        }
    }

    /// <summary>Expires the pending and unpaid bookings of a shard whose hold has run out; returns how many.</summary>
    public async Task<int> ExpireDueAsync(int shard, int limit, CancellationToken ct)
    {
        await using var db = shards.CreateContext(shard);
        var due = await db.Bookings.AsNoTracking()
            .Where(Booking.Holding).Where(b => b.ExpiresAt <= DateTimeOffset.UtcNow) // the database's clock
            .OrderBy(b => b.ExpiresAt).Take(limit)
            .Select(b => new Target(b.ClinicId, b.Id, null, CurrentTrace))
            .ToListAsync(ct);
        return (await RunAsync(shard, BookingEvent.HoldRanOut, due, Caller.SystemActor, ct)).Count;
    }

    /// <summary>A booking an event is about, with the reason it brings (a verdict's) and the trace it joins.</summary>
    private sealed record Target(long ClinicId, long Id, string? Reason, string? Trace);

    /// <summary>
    /// Applies <paramref name="event"/> to the <paramref name="targets"/>: each moves on as the lifecycle's row for
    /// its status and guards says (<see cref="BookingLifecycle"/>), or not at all, in one statement on the shard
    /// with its audit record and its status event; then sends the events and wakes any waiting request.
    /// Returns the bookings it changed. <paramref name="actor"/> must be the event's cause: the caller, or the saga.
    /// </summary>
    private async Task<List<Booking>> RunAsync(int shard, BookingEvent @event, IReadOnlyList<Target> targets, string actor, CancellationToken ct)
    {
        var transitions = BookingLifecycle.Of(@event);
        var cause = actor == Caller.SystemActor ? BookingCause.Saga : BookingCause.Caller;
        if (transitions.Any(t => t.By != cause))
        {
            throw new InvalidOperationException($"{@event} is caused by {transitions[0].By}, not by {actor}.");
        }
        if (targets.Count == 0)
        {
            return [];
        }
        await using var command = shards.DataSource(shard).CreateCommand(TransitionSql);
        command.Parameters.AddWithValue("clinics", targets.Select(t => t.ClinicId).ToArray());
        command.Parameters.AddWithValue("ids", targets.Select(t => t.Id).ToArray());
        command.Parameters.Add(Texts("reasons", targets.Select(t => t.Reason)));
        command.Parameters.Add(Texts("traces", targets.Select(t => t.Trace)));
        command.Parameters.Add(Texts("t_from", transitions.Select(t => t.From?.ToName())));
        command.Parameters.Add(Texts("t_to", transitions.Select(t => t.To.ToName())));
        command.Parameters.Add(Texts("t_stamps", transitions.Select(t => t.Stamp)));
        command.Parameters.Add(Texts("t_reasons", transitions.Select(t => t.Reason)));
        command.Parameters.Add(Texts("t_actions", transitions.Select(t => t.AuditAction)));
        command.Parameters.AddWithValue("t_hold_running", transitions.Select(t => t.Guards.HasFlag(BookingGuard.HoldRunning)).ToArray());
        command.Parameters.AddWithValue("t_hold_over", transitions.Select(t => t.Guards.HasFlag(BookingGuard.HoldOver)).ToArray());
        command.Parameters.AddWithValue("t_not_started", transitions.Select(t => t.Guards.HasFlag(BookingGuard.NotStarted)).ToArray());
        command.Parameters.Add(new NpgsqlParameter("t_payment_due", NpgsqlDbType.Array | NpgsqlDbType.Boolean)
        {
            Value = transitions.Select(t => t.Guards.HasFlag(BookingGuard.PaymentDue) ? true
                : t.Guards.HasFlag(BookingGuard.NoPaymentDue) ? false : (bool?)null).ToArray(),
        });
        command.Parameters.AddWithValue("t_holds_for_payment", transitions.Select(t => t.HoldsForPayment).ToArray());
        command.Parameters.AddWithValue("payment_hold", options.Value.PaymentHold);
        command.Parameters.Add(new NpgsqlParameter("t_inactive", NpgsqlDbType.Array | NpgsqlDbType.Boolean)
        {
            Value = transitions.Select(t => t.Guards.HasFlag(BookingGuard.CustomerInactive) ? true
                : t.Guards.HasFlag(BookingGuard.CustomerNotInactive) ? false : (bool?)null).ToArray(),
        });
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("message_type", nameof(BookingStatusChanged));

        var changed = new List<Booking>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var booking = _bookings.Read(reader);
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

    private static NpgsqlParameter Texts(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    /// <summary>
    /// A new booking: holds the slot if it is free and in the future, inserts the pending booking (the
    /// lifecycle's <see cref="BookingLifecycle.Request"/>), its audit record and its question to CustomerService,
    /// all in one statement.
    /// </summary>
    private const string HoldSql = $"""
        WITH slot AS (
            UPDATE booking_slots SET customer_id = @customer
             WHERE clinic_id = @clinic AND id = @slot AND customer_id IS NULL AND starts_at > now()
               AND (@mode::varchar IS NULL OR mode IN (@mode::varchar, '{ConsultationModes.Either}'))
         RETURNING clinic_id, id, doctor_id, starts_at, ends_at, mode, price_amount, price_currency),
        b AS (
            INSERT INTO bookings (clinic_id, booking_slot_id, doctor_id, starts_at, ends_at, customer_id, status,
                                  idempotency_key, revision, created_at, expires_at, booked_by, mode, price_amount, price_currency, payment_due)
            SELECT slot.clinic_id, slot.id, doctor_id, starts_at, ends_at, @customer, @status, @key, 1, now(), now() + @hold, @bookedBy,
                   -- A slot offering either is booked as the patient chose, in person unless they said online.
                   CASE WHEN mode = '{ConsultationModes.Either}' THEN COALESCE(@mode::varchar, '{ConsultationModes.InPerson}') ELSE mode END,
                   -- The price is the slot's as the slot is held: what the patient saw, unless it changed meanwhile.
                   price_amount, price_currency,
                   -- Paid when booked: the clinic asks so as the slot is held, and there is something to pay.
                   c.pay_at_booking AND coalesce(price_amount, 0) > 0
              FROM slot JOIN clinics c ON c.id = slot.clinic_id
         RETURNING *, @trace::varchar AS trace),
        audit AS (
            INSERT INTO booking_audit (clinic_id, booking_id, at, actor, action, detail)
            SELECT clinic_id, id, now(), @actor, @audit_action, reason FROM b),
        {OutboxWriter.InsertForEachBooking}
        SELECT b.*, {OutboxWriter.Columns}, c.time_zone, c.max_active_bookings_per_customer
          FROM b JOIN outbox ON outbox.outbox_booking_id = b.id JOIN clinics c ON c.id = b.clinic_id
        """;

    /// <summary>
    /// Every other transition: the event's rows of the lifecycle (<c>t</c>, one per state it moves a booking
    /// from) joined to the bookings it is about (<c>d</c>); a booking moves only from a row's state and only if
    /// the row's guards hold, so a late, repeated or out-of-order event changes nothing. Stamps, reason, audit
    /// record and status event come from the row, as parameters.
    /// </summary>
    private const string TransitionSql = $"""
        WITH d AS (
            SELECT * FROM unnest(@clinics::bigint[], @ids::bigint[], @reasons::text[], @traces::text[])
                AS d (clinic_id, id, reason, trace)),
        t AS (
            SELECT * FROM unnest(@t_from::text[], @t_to::text[], @t_stamps::text[], @t_reasons::text[], @t_actions::text[],
                                 @t_hold_running::boolean[], @t_hold_over::boolean[], @t_not_started::boolean[], @t_inactive::boolean[],
                                 @t_payment_due::boolean[], @t_holds_for_payment::boolean[])
                AS t (from_status, to_status, stamp, reason, audit_action, hold_running, hold_over, not_started, customer_inactive,
                      payment_due, holds_for_payment)),
        b AS (
            UPDATE bookings
               SET status = t.to_status,
                   awaiting_payment_at = CASE t.stamp WHEN 'awaiting_payment_at' THEN now() ELSE bookings.awaiting_payment_at END,
                   confirmed_at = CASE t.stamp WHEN 'confirmed_at' THEN now() ELSE bookings.confirmed_at END,
                   rejected_at = CASE t.stamp WHEN 'rejected_at' THEN now() ELSE bookings.rejected_at END,
                   cancelled_at = CASE t.stamp WHEN 'cancelled_at' THEN now() ELSE bookings.cancelled_at END,
                   expired_at = CASE t.stamp WHEN 'expired_at' THEN now() ELSE bookings.expired_at END,
                   reason = coalesce(t.reason, d.reason),
                   -- Awaiting payment: the patient has the payment hold from now to pay.
                   expires_at = CASE WHEN t.holds_for_payment THEN now() + @payment_hold ELSE bookings.expires_at END,
                   revision = bookings.revision + 1
              FROM d JOIN t ON true
             WHERE bookings.clinic_id = d.clinic_id AND bookings.id = d.id AND bookings.status = t.from_status
               AND (NOT t.hold_running OR bookings.expires_at > now())
               AND (NOT t.hold_over OR bookings.expires_at <= now())
               AND (NOT t.not_started OR bookings.starts_at > now())
               AND (t.payment_due IS NULL OR t.payment_due = bookings.payment_due)
               AND (t.customer_inactive IS NULL OR t.customer_inactive = EXISTS (
                       SELECT 1 FROM customer_standings s WHERE s.customer_id = bookings.customer_id AND NOT s.is_active))
         RETURNING bookings.*, d.trace::varchar AS trace, t.audit_action),
        audit AS (
            INSERT INTO booking_audit (clinic_id, booking_id, at, actor, action, detail)
            SELECT clinic_id, id, now(), @actor, audit_action, reason FROM b),
        {OutboxWriter.InsertForEachBooking}
        SELECT b.*, {OutboxWriter.Columns}, c.time_zone
          FROM b JOIN outbox ON outbox.outbox_booking_id = b.id JOIN clinics c ON c.id = b.clinic_id
        """;

    private static string? CurrentTrace => Activity.Current?.Id;

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
        return await ofSlot.Where(Booking.Active).FirstOrDefaultAsync(b => b.CustomerId == customerId, ct);
    }

    /// <summary>Why a slot could not be held: gone, started, held by a pending booking, or booked.</summary>
    private async Task<ProblemException> SlotNotFreeAsync(ClinicDbContext db, long slotId, string? mode, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var slot = await db.BookingSlots.AsNoTracking()
            .Where(s => s.ClinicId == clinicId && s.Id == slotId)
            // "Started" by the database's clock, the one the hold itself was refused by.
            .Select(s => new { Started = s.StartsAt <= DateTimeOffset.UtcNow, s.CustomerId, s.Mode })
            .FirstOrDefaultAsync(ct);
        if (slot is null)
        {
            // Removed slots are deleted: nothing at this id, as for any unknown id.
            return ProblemException.NotFound($"Booking slot {slotId} does not exist or has been removed.");
        }
        if (slot.Started)
        {
            return ProblemException.Conflict($"Booking slot {slotId} has already started; only future slots can be booked.");
        }
        if (slot.CustomerId is null && mode is not null && !ConsultationModes.Allows(slot.Mode, mode))
        {
            return ProblemException.Conflict($"Booking slot {slotId} is {(slot.Mode == ConsultationModes.Online ? "online" : "in person")} only; " +
                $"book it with mode \"{slot.Mode}\", or leave mode out.");
        }
        var held = await db.Bookings.Where(b => b.ClinicId == clinicId && b.BookingSlotId == slotId).Where(Booking.Holding)
            .Select(b => (BookingStatus?)b.Status).FirstOrDefaultAsync(ct);
        return held switch
        {
            BookingStatus.Pending => ProblemException.Conflict($"Booking slot {slotId} is held by another booking that is being confirmed."),
            BookingStatus.AwaitingPayment => ProblemException.Conflict($"Booking slot {slotId} is held by another booking until it is paid; it is free again if it is not paid in time."),
            _ => ProblemException.Conflict($"Booking slot {slotId} is already booked."),
        };
    }

    private static Task<Booking> ReadAsync(ClinicDbContext db, Booking booking, CancellationToken ct) =>
        db.Bookings.AsNoTracking().SingleAsync(b => b.ClinicId == booking.ClinicId && b.Id == booking.Id, ct);

    private static int ShardOf(long scopedId) => ClinicIds.ShardOfClinic(ClinicIds.ClinicOf(scopedId));
}
