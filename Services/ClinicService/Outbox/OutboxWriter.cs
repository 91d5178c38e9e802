using ClinicBooking.ClinicService.Data;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.Messages;
using ClinicBooking.Messaging.Outbox;
using Npgsql;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>An outbox row as a state change wrote it: its id, its message id and the trace it joins.</summary>
public sealed record OutboxRow(long Id, Guid MessageId, string? TraceParent)
{
    public static OutboxRow Of(BookingOutboxMessage row) => new(row.Id, row.MessageId, row.TraceParent);

    /// <summary>The row's message, ready for its <see cref="OutboxChannel{T}"/> or the <see cref="OutboxPublisher"/>.</summary>
    public OutboxItem<T> Carrying<T>(int shard, T message) => new(shard, Id, new Traced<T>(MessageId, message, TraceParent));
}

/// <summary>
/// Writes outbox rows inside the statements that change bookings, so the row commits with the change or not
/// at all: <see cref="InsertForEachBooking"/> is a common table expression, one row per row of the statement's
/// <c>b</c> (the bookings it changed, with their <c>clinic_id</c>, <c>id</c> and <c>trace</c>), of the message
/// type in parameter <c>@message_type</c>, stamped the transaction's <c>now()</c>; <see cref="Read"/> reads back
/// what it returned.
/// </summary>
public static class OutboxWriter
{
    /// <summary>The CTE <c>outbox</c>; join it on <c>outbox.outbox_booking_id</c>.</summary>
    public const string InsertForEachBooking = """
        outbox AS (
            INSERT INTO outbox_messages (message_id, message_type, clinic_id, booking_id, trace_parent, created_at)
            SELECT gen_random_uuid(), @message_type, b.clinic_id, b.id, b.trace, now() FROM b
            RETURNING id AS outbox_id, message_id AS outbox_message_id, booking_id AS outbox_booking_id,
                      trace_parent AS outbox_trace_parent)
        """;

    /// <summary>The columns of <see cref="InsertForEachBooking"/>'s CTE that <see cref="Read"/> reads.</summary>
    public const string Columns = "outbox.outbox_id, outbox.outbox_message_id, outbox.outbox_trace_parent";

    public static OutboxRow Read(NpgsqlDataReader reader)
    {
        var trace = reader.GetOrdinal("outbox_trace_parent");
        return new OutboxRow(reader.GetInt64(reader.GetOrdinal("outbox_id")), reader.GetGuid(reader.GetOrdinal("outbox_message_id")),
            reader.IsDBNull(trace) ? null : reader.GetString(trace));
    }
}

/// <summary>The saga's messages, built from the booking they are about: what a row of each kind sends.</summary>
public static class BookingMessages
{
    /// <summary>The question about a pending booking of a clinic in <paramref name="timeZone"/> whose per-customer cap is <paramref name="clinicCap"/>.</summary>
    public static VerifyCustomer VerifyCustomer(Booking b, string timeZone, int? clinicCap) =>
        new(b.Id, b.CustomerId, b.ClinicId, b.BookingSlotId!.Value, b.DoctorId, b.StartsAt, b.EndsAt, b.ExpiresAt, b.CreatedAt, timeZone,
            b.BookedBy, clinicCap);

    /// <summary>The booking's current status, stamped when it was reached.</summary>
    public static BookingStatusChanged StatusChanged(Booking b, string timeZone) =>
        new(b.Id, b.CustomerId, b.ClinicId, b.BookingSlotId, b.DoctorId, b.StartsAt, b.EndsAt, b.Status, b.Revision,
            b.CancelledAt ?? b.ExpiredAt ?? b.RejectedAt ?? b.ConfirmedAt ?? b.AwaitingPaymentAt ?? b.CreatedAt, b.Reason, timeZone, b.Mode,
            Price.Of(b.PriceAmount, b.PriceCurrency), b.Status == BookingStatus.AwaitingPayment ? b.ExpiresAt : null);
}
