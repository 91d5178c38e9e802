using System.Text.Json;
using ClinicBooking.Messages;

namespace ClinicBooking.ClinicService.Saga;

/// <summary>
/// A message this shard means to send, written in the same transaction as the state change that calls for
/// it, so a crash can delay a message but never lose it or send one for a change that rolled back. The
/// <see cref="OutboxDispatcher"/> publishes it and stamps <see cref="SentAt"/>; a row is kept for a while
/// after that, which also lets an operator resend it by clearing the stamp.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>The messages a cell sends, by the name stored in <see cref="MessageType"/>.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Types = new Dictionary<string, Type>
    {
        [nameof(VerifyCustomer)] = typeof(VerifyCustomer),
        [nameof(BookingStatusChanged)] = typeof(BookingStatusChanged),
    };

    /// <summary>
    /// The payload's JSON: web defaults, statuses as lowercase names, the shape the saga's SQL writes
    /// (jsonb_build_object in <see cref="BookingSaga"/>).
    /// </summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public long Id { get; init; }

    /// <summary>MassTransit's MessageId, so a resent message is recognisably the same one.</summary>
    public Guid MessageId { get; set; }

    public string MessageType { get; set; } = "";

    public string Payload { get; set; } = "";

    /// <summary>The W3C traceparent of the change that wrote the message; its publish joins that trace.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public object Deserialize() =>
        JsonSerializer.Deserialize(Payload, Types[MessageType], Json)
        ?? throw new InvalidOperationException($"Outbox message {Id} has an empty payload.");
}
