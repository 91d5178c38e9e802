namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// One change of a booking and who made it: written by the same statement as the change (a booking created,
/// cancelled, confirmed, rejected or expired; the detail is the booking's reason), so there is no change
/// without its record. Kept with the booking's clinic on its shard.
/// </summary>
public sealed class BookingAuditEntry : AuditEntry
{
    public static readonly string[] Actions =
        ["booking.created", "booking.awaiting-payment", "booking.confirmed", "booking.rejected", "booking.cancelled", "booking.expired"];

    public long ClinicId { get; set; }

    public long BookingId { get; set; }
}
