namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// One change of a booking and who made it: written by the same statement as the change (a booking created,
/// cancelled, confirmed, rejected or expired), so there is no change without its record. Kept with the
/// booking's clinic on its shard.
/// </summary>
public sealed class BookingAuditEntry
{
    public long ClinicId { get; set; }

    public long Id { get; set; }

    public long BookingId { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>"roles:account id" of the caller (<c>Caller.AuditName</c>), or "system" for the saga's own steps.</summary>
    public required string Actor { get; set; }

    /// <summary>"booking." and the status the change led to: created (pending), confirmed, rejected, cancelled, expired.</summary>
    public required string Action { get; set; }
}
