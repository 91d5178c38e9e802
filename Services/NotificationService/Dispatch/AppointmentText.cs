using ClinicBooking.NotificationService.Clinics;
using ClinicBooking.NotificationService.Data;

namespace ClinicBooking.NotificationService.Dispatch;

/// <summary>
/// The text messages about an appointment: what the mail says, in one or two SMS segments, with the time in the
/// clinic's zone (its abbreviation) and a link to act on it.
/// </summary>
public static class AppointmentText
{
    public static string For(NotificationKind kind, Appointment a, Practice at, NotificationLinks links)
    {
        var when = AppointmentMail.When(a).Short;
        var where = at.ClinicAddress is { Length: > 0 } address ? $"{at.ClinicName}, {address}" : at.ClinicName;
        return kind switch
        {
            NotificationKind.Confirmation => $"ClinicBooking: confirmed {when} with {at.DoctorName}, {where}. Your bookings: {links.MyBookings.AbsoluteUri}",
            NotificationKind.Reminder => $"ClinicBooking reminder: {when} with {at.DoctorName}, {where}. Can't come? Cancel: {links.MyBookings.AbsoluteUri}",
            NotificationKind.Cancellation => $"ClinicBooking: your appointment {when} with {at.DoctorName} is cancelled: {AppointmentMail.WhyAndNext(a.Reason, at).Why}. "
                + $"Book again: {links.Doctor(a.DoctorId).AbsoluteUri}",
            _ => throw new InvalidOperationException($"No text for {kind}."),
        };
    }
}
