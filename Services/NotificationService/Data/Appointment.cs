using ClinicBooking.Contracts.Consultations;
using ClinicBooking.Messages;

namespace ClinicBooking.NotificationService.Data;

/// <summary>
/// A booking as the cells last said (<c>BookingStatusChanged</c>, the newest revision wins): what a
/// notification is about, read again right before it is sent, so nothing goes out for a booking that changed
/// after the notification was queued.
/// </summary>
public sealed class Appointment
{
    public long BookingId { get; set; }

    public long ClinicId { get; set; }

    public long CustomerId { get; set; }

    public long DoctorId { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    /// <summary>The clinic's IANA time zone, in which every time of the booking is shown.</summary>
    public required string TimeZone { get; set; }

    public BookingStatus Status { get; set; }

    public int Revision { get; set; }

    public string? Reason { get; set; }

    /// <summary>In person or online (<see cref="ConsultationModes"/>): an online one's mails carry its join page instead of the clinic's address.</summary>
    public string Mode { get; set; } = ConsultationModes.InPerson;

    public bool IsOnline => Mode == ConsultationModes.Online;

    public DateTimeOffset ChangedAt { get; set; }
}
