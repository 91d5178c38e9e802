using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBooking.Shared;

/// <summary>
/// The audit building block: who did what to which object, and when. Each service keeps one table of its
/// objects' records, with these columns (<see cref="AuditModel.MapAudit{TEntry}"/>); a service's record type adds
/// the object it is about. A record is written in the transaction of the change it records, so no change
/// commits without it: a change saved through EF Core adds its record before saving (CustomerService's
/// <c>SaveChangesAsync</c>), a change made by one SQL statement inserts it in that statement (the booking
/// lifecycle's transitions, <c>BookingSaga</c>). Administrators read them as <see cref="AuditEntryResponse"/>.
/// </summary>
public abstract class AuditEntry
{
    public const int ActorMaxLength = 300;
    public const int ActionMaxLength = 50;
    public const int DetailMaxLength = 500;

    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>"roles:account id" of the caller (<c>Caller.AuditName</c>), or "system" (<c>Caller.SystemActor</c>).</summary>
    public required string Actor { get; set; }

    /// <summary>"object.what happened", one of the actions the table allows: "booking.cancelled", "customer.updated".</summary>
    public required string Action { get; set; }

    /// <summary>What else the record says: the fields an update changed (names, never values), a transition's reason.</summary>
    public string? Detail { get; set; }
}

/// <summary>One audit record as administrators read it: when, who, what (and its detail), on which object.</summary>
public sealed record AuditEntryResponse(DateTimeOffset At, string Actor, string Action, string? Detail, string ObjectType, long ObjectId);

public static class AuditModel
{
    /// <summary>
    /// Maps a service's audit records to <paramref name="table"/> with the columns every record has and the
    /// actions the database accepts; the caller maps what its records add (the object, its key).
    /// </summary>
    public static EntityTypeBuilder<TEntry> MapAudit<TEntry>(this ModelBuilder model, string table, IReadOnlyList<string> actions)
        where TEntry : AuditEntry
    {
        var audit = model.Entity<TEntry>();
        audit.ToTable(table, t => t.HasCheckConstraint($"ck_{table}_action", PostgresDatabase.OneOf("action", actions)));
        audit.Property(a => a.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        audit.Property(a => a.At).HasColumnName("at");
        audit.Property(a => a.Actor).HasColumnName("actor").HasMaxLength(AuditEntry.ActorMaxLength);
        audit.Property(a => a.Action).HasColumnName("action").HasMaxLength(AuditEntry.ActionMaxLength);
        audit.Property(a => a.Detail).HasColumnName("detail").HasMaxLength(AuditEntry.DetailMaxLength);
        return audit;
    }
}
