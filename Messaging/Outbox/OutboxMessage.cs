using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBooking.Messaging.Outbox;

/// <summary>
/// A message a state change must send, written in the same transaction as the change, so it is sent if and only
/// if the change committed. These are the columns every outbox row has; a service's own row type adds what its
/// messages are about (a booking, a customer), and its <see cref="IOutboxStore{TMessage}"/> builds the message
/// from that, as it is when sent. A row is either sent (<see cref="SentAt"/>) or parked (<see cref="ParkedAt"/>:
/// it can never be sent), never both.
/// </summary>
public abstract class OutboxMessage
{
    public const int ParkedReasonMaxLength = 500;

    public long Id { get; init; }

    /// <summary>MassTransit's MessageId of the message, so a resent message is recognisably the same one.</summary>
    public Guid MessageId { get; set; }

    /// <summary>The W3C traceparent of the change that wrote the message; its publish joins that trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>When the change committed, by the database's clock (the column's default).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>
    /// Set instead of <see cref="SentAt"/> when the message can never be sent (see <see cref="ParkedReason"/>):
    /// the re-driver passes over it, operators count it, the purger removes it after <c>Outbox:ParkedRetention</c>.
    /// </summary>
    public DateTimeOffset? ParkedAt { get; set; }

    public string? ParkedReason { get; set; }
}

public static class OutboxModel
{
    public const string Table = "outbox_messages";

    /// <summary>
    /// Maps a service's outbox rows to <c>outbox_messages</c> with the columns, rules and indexes the building
    /// block relies on; the caller maps what its rows add (the message type, what the message is about).
    /// </summary>
    public static EntityTypeBuilder<TMessage> MapOutbox<TMessage>(this ModelBuilder model) where TMessage : OutboxMessage
    {
        var outbox = model.Entity<TMessage>();
        outbox.ToTable(Table, t => t.HasCheckConstraint("ck_outbox_messages_sent_or_parked",
            "(sent_at IS NULL OR parked_at IS NULL) AND (parked_at IS NULL) = (parked_reason IS NULL)"));
        outbox.Property(m => m.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        outbox.Property(m => m.MessageId).HasColumnName("message_id").HasDefaultValueSql("gen_random_uuid()");
        outbox.Property(m => m.TraceParent).HasColumnName("trace_parent").HasMaxLength(100);
        outbox.Property(m => m.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
        outbox.Property(m => m.SentAt).HasColumnName("sent_at");
        outbox.Property(m => m.ParkedAt).HasColumnName("parked_at");
        outbox.Property(m => m.ParkedReason).HasColumnName("parked_reason").HasMaxLength(OutboxMessage.ParkedReasonMaxLength);
        outbox.HasIndex(m => m.Id).HasFilter("sent_at IS NULL AND parked_at IS NULL").HasDatabaseName("ix_outbox_messages_unsent");
        outbox.HasIndex(m => m.ParkedAt).HasFilter("parked_at IS NOT NULL").HasDatabaseName("ix_outbox_messages_parked_at");
        outbox.HasIndex(m => m.SentAt).HasFilter("sent_at IS NOT NULL").HasDatabaseName("ix_outbox_messages_sent_at");
        return outbox;
    }
}
