using ClinicBooking.Messages;

namespace ClinicBooking.CustomerService.Data;

/// <summary>
/// A customer's booking as CustomerService knows it: a read model kept by the booking saga's messages, so
/// a customer's bookings across every clinic are listed without asking the shards. The owning cell's
/// booking is the truth; this copy keeps the highest <see cref="Revision"/> it has seen.
/// </summary>
public sealed class CustomerBooking
{
    public long BookingId { get; set; }

    public long CustomerId { get; set; }

    public long ClinicId { get; set; }

    public long? BookingSlotId { get; set; }

    public long DoctorId { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    /// <summary>The clinic's IANA time zone: the list shows the times in it, as the clinic's API does.</summary>
    public string TimeZone { get; set; } = "";

    public BookingStatus Status { get; set; }

    public int Revision { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
