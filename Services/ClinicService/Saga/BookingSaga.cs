using System.Diagnostics;
using ClinicBooking.ClinicService.Apis;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using ClinicBooking.Messages;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClinicBooking.ClinicService.Saga;

/// <summary>
/// The booking saga's state changes. Each is one SQL statement on the shard, so one implicit transaction
/// and one round trip: a conditional UPDATE that only a booking in the right state passes (so a late or
/// repeated message changes nothing), and, in the same statement, the outbox row that tells the other side.
/// A slot is held by the conditional update PostgreSQL would use on its own; the partial unique index
/// <see cref="ClinicDbContext.UniqueActiveBooking"/> and the triggers of <see cref="ShardSchema.Bookings"/>
/// (forward-only statuses; a booking that stops being active frees its slot) hold whatever the code does.
/// This is the hot path of booking, so it talks to Npgsql directly rather than through EF Core; the
/// outbox payloads built here in SQL have the shape of the records in <see cref="Messages"/>.
/// </summary>
public sealed class BookingSaga(
    ShardDatabases shards, OutboxDispatcher outbox, BookingOutcomes outcomes, CacheInvalidationQueue cache,
    IOptions<BookingOptions> options, TimeProvider clock, ILogger<BookingSaga> logger)
{
    /// <summary>The result of a hold: the pending booking, its clinic's time zone, and its decision to come.</summary>
    public sealed record Hold(Booking Booking, string TimeZone, Task<Booking> Decided);

    public static readonly ActivitySource ActivitySource = new("ClinicBooking.Saga");

    private const string OutboxColumns = "message_id, message_type, payload, trace_parent, created_at";

    /// <summary>A <see cref="BookingStatusChanged"/> payload for the booking row <c>b</c>.</summary>
    private const string StatusChangedJson = """
        jsonb_build_object('bookingId', b.id, 'customerId', b.customer_id, 'clinicId', b.clinic_id,
            'bookingSlotId', b.booking_slot_id, 'doctorId', b.doctor_id, 'startsAt', b.starts_at, 'endsAt', b.ends_at,
            'status', b.status, 'revision', b.revision, 'changedAt', @now, 'reason', b.reason)
        """;

    /// <summary>
    /// Holds a free, future slot for the customer with a new pending booking and, in the same statement,
    /// queues the question to CustomerService. Null when the slot is not free (taken, held, removed or
    /// started) or the Idempotency-Key was used before for this slot.
    /// </summary>
    public async Task<Hold?> TryHoldAsync(long slotId, long customerId, string? idempotencyKey, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var shard = ClinicIds.ShardOfClinic(clinicId);
        var now = clock.UtcNowMicroseconds();
        await using var command = shards.DataSource(shard).CreateCommand($"""
            WITH slot AS (
                UPDATE doctor_booking_slots SET customer_id = @customer
                 WHERE clinic_id = @clinic AND id = @slot AND customer_id IS NULL AND starts_at > @now
             RETURNING clinic_id, id, doctor_id, starts_at, ends_at),
            b AS (
                INSERT INTO bookings (clinic_id, booking_slot_id, doctor_id, starts_at, ends_at, customer_id, status,
                                      idempotency_key, revision, created_at, expires_at)
                SELECT clinic_id, id, doctor_id, starts_at, ends_at, @customer, 'pending', @key, 1, @now, @expires
                  FROM slot
             RETURNING *),
            question AS (
                INSERT INTO outbox_messages ({OutboxColumns})
                SELECT gen_random_uuid(), '{nameof(VerifyCustomer)}',
                       jsonb_build_object('bookingId', b.id, 'customerId', b.customer_id, 'clinicId', b.clinic_id,
                           'bookingSlotId', b.booking_slot_id, 'doctorId', b.doctor_id, 'startsAt', b.starts_at,
                           'endsAt', b.ends_at, 'holdExpiresAt', b.expires_at),
                       @trace, @now
                  FROM b
             RETURNING id, message_id, payload::text AS payload, trace_parent)
            SELECT b.*, question.id AS outbox_id, question.message_id AS outbox_message_id, question.payload AS outbox_payload,
                   question.trace_parent AS outbox_trace_parent,
                   (SELECT time_zone FROM clinics WHERE id = b.clinic_id) AS time_zone
              FROM b, question
            """);
        command.Parameters.AddWithValue("customer", customerId);
        command.Parameters.AddWithValue("clinic", clinicId);
        command.Parameters.AddWithValue("slot", slotId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("expires", now + options.Value.HoldTimeout);
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
            var question = ReadOutbox(reader, nameof(VerifyCustomer), now);
            var timeZone = reader.GetString(reader.GetOrdinal("time_zone"));
            // Watched before the question is sent, so the answer cannot come first.
            var decided = outcomes.Watch(booking.Id);
            outbox.PublishCommitted(shard, [question]);
            cache.InvalidateClinic(clinicId); // the slot left the availability lists
            return new Hold(booking, timeZone, decided);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // The key was used before (its booking has since ended), or a booking raced this one: not free.
            return null;
        }
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
                // In booking order, so that concurrent batches lock their rows in the same order.
                var ordered = shardVerdicts.OrderBy(v => v.Verdict.BookingId).ToList();
                await using var command = Transition(shard, """
                    status = CASE WHEN d.reason IS NULL THEN 'confirmed' ELSE 'rejected' END,
                    confirmed_at = CASE WHEN d.reason IS NULL THEN @now END,
                    rejected_at = CASE WHEN d.reason IS NULL THEN NULL ELSE @now END,
                    reason = d.reason
                    """, """
                    bookings.clinic_id = d.clinic_id AND bookings.id = d.id AND bookings.status = 'pending'
                    AND (d.reason IS NOT NULL OR bookings.expires_at > @now)
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

    private static string? Truncate(string? reason) =>
        reason?.Length > Booking.ReasonMaxLength ? reason[..Booking.ReasonMaxLength] : reason;

    /// <summary>Expires the pending bookings of a shard whose hold has run out; returns how many.</summary>
    public async Task<int> ExpireDueAsync(int shard, int limit, CancellationToken ct)
    {
        await using var command = Transition(shard, "status = 'expired', expired_at = @now", """
            (clinic_id, id) IN (
                SELECT clinic_id, id FROM bookings
                 WHERE status = 'pending' AND expires_at <= @now
                 ORDER BY expires_at LIMIT @limit
                   FOR UPDATE SKIP LOCKED)
            """);
        command.Parameters.AddWithValue("limit", limit);
        return (await RunTransitionAsync(shard, command, ct)).Count;
    }

    /// <summary>Cancels the slot's active booking if its appointment has not started; null when there is none to cancel.</summary>
    public async Task<Booking?> CancelAsync(long slotId, CancellationToken ct)
    {
        var shard = ClinicIds.ShardOfClinic(ClinicIds.ClinicOf(slotId));
        await using var command = Transition(shard, "status = 'cancelled', cancelled_at = @now", """
            clinic_id = @clinic AND booking_slot_id = @slot AND status IN ('pending', 'confirmed') AND starts_at > @now
            """);
        command.Parameters.AddWithValue("clinic", ClinicIds.ClinicOf(slotId));
        command.Parameters.AddWithValue("slot", slotId);
        return (await RunTransitionAsync(shard, command, ct)).FirstOrDefault();
    }

    /// <summary>
    /// One statement: move the matching bookings on, and queue a status event for each. The event joins the
    /// current trace, or with <paramref name="from"/> (rows to update from) the trace that <paramref name="trace"/>
    /// names per row.
    /// </summary>
    private NpgsqlCommand Transition(int shard, string set, string where, string? from = null, string trace = "@trace")
    {
        var command = shards.DataSource(shard).CreateCommand($"""
            WITH b AS (
                UPDATE bookings SET {set}, revision = revision + 1
                  {(from is null ? "" : $"FROM {from}")}
                 WHERE {where}
             RETURNING bookings.*, {trace} AS trace),
            event AS (
                INSERT INTO outbox_messages ({OutboxColumns})
                SELECT gen_random_uuid(), '{nameof(BookingStatusChanged)}', {StatusChangedJson}, b.trace, @now FROM b
             RETURNING id, message_id, payload::text AS payload, trace_parent, (payload->>'bookingId')::bigint AS booking_id)
            SELECT b.*, event.id AS outbox_id, event.message_id AS outbox_message_id, event.payload AS outbox_payload,
                   event.trace_parent AS outbox_trace_parent
              FROM b JOIN event ON event.booking_id = b.id
            """);
        command.Parameters.AddWithValue("now", clock.UtcNowMicroseconds());
        if (from is null)
        {
            AddTrace(command);
        }
        return command;
    }

    /// <summary>Runs a transition (committed on return), then sends its events and wakes any waiting request.</summary>
    private async Task<List<Booking>> RunTransitionAsync(int shard, NpgsqlCommand command, CancellationToken ct)
    {
        var now = (DateTimeOffset)command.Parameters["now"].Value!;
        var changed = new List<Booking>();
        var events = new List<OutboxMessage>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                changed.Add(ReadBooking(reader));
                events.Add(ReadOutbox(reader, nameof(BookingStatusChanged), now));
            }
        }
        outbox.PublishCommitted(shard, events);
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

    private static void AddTrace(NpgsqlCommand command) =>
        command.Parameters.Add(new NpgsqlParameter("trace", NpgsqlDbType.Varchar) { Value = (object?)Activity.Current?.Id ?? DBNull.Value });

    private static OutboxMessage ReadOutbox(NpgsqlDataReader r, string messageType, DateTimeOffset now) => new()
    {
        Id = r.GetInt64(r.GetOrdinal("outbox_id")),
        MessageId = r.GetGuid(r.GetOrdinal("outbox_message_id")),
        MessageType = messageType,
        Payload = r.GetString(r.GetOrdinal("outbox_payload")),
        TraceParent = r.IsDBNull(r.GetOrdinal("outbox_trace_parent")) ? null : r.GetString(r.GetOrdinal("outbox_trace_parent")),
        CreatedAt = now,
    };

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
        };
    }
}
