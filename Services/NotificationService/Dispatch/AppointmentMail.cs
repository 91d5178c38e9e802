using System.Globalization;
using System.Net;
using ClinicBooking.NotificationService.Clinics;
using ClinicBooking.NotificationService.Data;
using ClinicBooking.NotificationService.Email;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Calendar = Ical.Net.Calendar;
using ClinicBooking.Messages;
using NodaTime;

namespace ClinicBooking.NotificationService.Dispatch;

/// <summary>
/// The mails about an appointment, in the clinic's time zone with the zone named, each with its calendar
/// entry (RFC 5545/5546): the confirmation asks to add it (METHOD:REQUEST), the cancellation removes it
/// (METHOD:CANCEL, the same UID and a higher SEQUENCE), so a calendar that took the first drops it on the second.
/// </summary>
public static class AppointmentMail
{
    /// <summary>The calendar entry's id: the same for every mail about one booking.</summary>
    public static string Uid(long bookingId) => $"booking-{bookingId}@clinicbooking";

    public static EmailMessage Confirmation(Notification n, Appointment a, Recipient to, Practice at, string from, NotificationLinks links)
    {
        var when = When(a);
        var subject = $"Confirmed: {at.DoctorName}, {when.Short}";
        string[] lines =
        [
            $"Hello {to.Name},",
            "",
            "your appointment is confirmed.",
            "",
            .. Details(when.Long, a, at, links),
            "",
            "The calendar entry attached adds it to your calendar. If you cannot come, cancel it in My bookings,",
            "so that someone else can have the time:",
            links.MyBookings.AbsoluteUri,
            "",
            .. Footer(links),
        ];
        return Mail(n, to, subject, lines, Calendar(a, when, to, at, from, links, CalendarMethods.Request, sequence: 0, EventStatus.Confirmed));
    }

    public static EmailMessage Cancellation(Notification n, Appointment a, Recipient to, Practice at, string from, NotificationLinks links)
    {
        var when = When(a);
        var subject = $"Cancelled: {at.DoctorName}, {when.Short}";
        var (why, next) = WhyAndNext(a.Reason, at);
        string[] rebook = a.Reason switch
        {
            CustomerStatusChanged.DeactivatedReason => [],
            CancelReasons.DoctorAbsent when at.Specialization is { Length: > 0 } specialization =>
            [
                "", $"{at.DoctorName}'s next free times: {links.Doctor(a.DoctorId).AbsoluteUri}",
                $"Other {specialization} doctors at {at.ClinicName}: {links.Specialists(a.ClinicId, specialization).AbsoluteUri}",
            ],
            _ => ["", $"{at.DoctorName}'s free times: {links.Doctor(a.DoctorId).AbsoluteUri}"],
        };
        string[] lines =
        [
            $"Hello {to.Name},",
            "",
            $"your appointment on {when.Long} with {at.DoctorName} at {at.ClinicName} is cancelled: {why}.",
            "",
            next,
            .. rebook,
            "",
            "The calendar entry attached removes it from your calendar.",
            "",
            .. Footer(links),
        ];
        return Mail(n, to, subject, lines, Calendar(a, when, to, at, from, links, CalendarMethods.Cancel, sequence: 1, EventStatus.Cancelled));
    }

    /// <summary>A reminder, which the customer can stop with one click (<paramref name="unsubscribeToken"/>, RFC 8058).</summary>
    public static EmailMessage Reminder(Notification n, Appointment a, Recipient to, Practice at, NotificationLinks links, string unsubscribeToken)
    {
        var when = When(a);
        var subject = $"Reminder: {at.DoctorName}, {when.Short}";
        string[] lines =
        [
            $"Hello {to.Name},",
            "",
            "a reminder of your appointment:",
            "",
            .. Details(when.Long, a, at, links),
            "",
            "If you cannot come, cancel it in My bookings, so that someone else can have the time:",
            links.MyBookings.AbsoluteUri,
            "",
            .. Footer(links),
        ];
        return Mail(n, to, subject, lines, calendar: null) with { OneClickUnsubscribe = links.StopReminderMails(unsubscribeToken) };
    }

    /// <summary>
    /// When, with whom and where, as the confirmation and the reminders list it. Where an online appointment takes
    /// place is its page, on which the patient (signed in) joins the video call from shortly before the start.
    /// </summary>
    private static string[] Details(string when, Appointment a, Practice at, NotificationLinks links) =>
    [
        $"When:   {when}",
        $"With:   {at.DoctorName}{(at.Specialization is { Length: > 0 } s ? $" ({s})" : "")}",
        .. a.IsOnline
            ? (string[])[$"Where:  online, a video call with {at.ClinicName}", $"Join:   {links.Consultation(a.BookingId).AbsoluteUri}",
                "        (sign in; the call opens shortly before the start)"]
            : [$"Where:  {at.ClinicName}{(at.ClinicAddress is { Length: > 0 } address ? $", {address}" : "")}"],
    ];

    private static string[] Footer(NotificationLinks links) =>
        ["--", $"Choose which mails and text messages you get: {links.Preferences.AbsoluteUri}"];

    /// <summary>Who cancelled, in words, and what the patient can do next, from the reason the booking carries.</summary>
    public static (string Why, string Next) WhyAndNext(string? reason, Practice at) => reason switch
    {
        CancelReasons.ByCustomer => ("you cancelled it",
            $"To book another time, search for {at.DoctorName} or another doctor at {at.ClinicName}."),
        CancelReasons.ByClinic => ("the clinic cancelled it",
            $"We are sorry. Book another time with {at.DoctorName} or another doctor at {at.ClinicName}, or call the clinic."),
        CancelReasons.ByAdministrator => ("ClinicBooking's administrators cancelled it",
            $"Book another time with {at.DoctorName} or another doctor at {at.ClinicName}; reply to this mail if you did not expect it."),
        CancelReasons.DoctorAbsent => ($"the clinic cancelled it: {at.DoctorName} is unavailable that day",
            $"We are sorry. Book another time with {at.DoctorName}, or with another doctor at {at.ClinicName}:"),
        CustomerStatusChanged.DeactivatedReason => ("your account was deactivated",
            "Your other upcoming appointments are cancelled too. Contact ClinicBooking's support to have your account reactivated."),
        _ => ("it was cancelled", $"To book another time, search for {at.DoctorName} or another doctor at {at.ClinicName}."),
    };

    /// <summary>The appointment's times in the clinic's zone: "Tuesday 8 December 2026, 09:00–09:30 (Europe/London, GMT)".</summary>
    public static (string Long, string Short, ZonedDateTime Start, ZonedDateTime End) When(Appointment a)
    {
        var zone = DateTimeZoneProviders.Tzdb[a.TimeZone];
        var start = Instant.FromDateTimeOffset(a.StartsAt).InZone(zone);
        var end = Instant.FromDateTimeOffset(a.EndsAt).InZone(zone);
        var named = $"{zone.Id}, {start.GetZoneInterval().Name}";
        var day = start.ToDateTimeUnspecified().ToString("dddd d MMMM yyyy", CultureInfo.InvariantCulture);
        var hours = $"{start.ToDateTimeUnspecified():HH:mm}–{end.ToDateTimeUnspecified():HH:mm}";
        return ($"{day}, {hours} ({named})",
            $"{start.ToDateTimeUnspecified().ToString("ddd d MMM, HH:mm", CultureInfo.InvariantCulture)} ({start.GetZoneInterval().Name})", start, end);
    }

    private static EmailMessage Mail(Notification n, Recipient to, string subject, string[] lines, EmailAttachment? calendar) =>
        Mail(n.Id, to.Email, to.Name, subject, lines, calendar);

    /// <summary>A mail of <paramref name="lines"/>: the text as written, and HTML with a paragraph per block and its addresses linked.</summary>
    public static EmailMessage Mail(long notificationId, string toAddress, string toName, string subject, string[] lines, EmailAttachment? calendar)
    {
        var text = string.Join("\n", lines) + "\n";
        // A paragraph per block of lines (blank lines part them), its lines kept as the text has them.
        var paragraphs = string.Join("\n", lines).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => "<p>" + string.Join("<br>", p.Split('\n').Select(l => Linked(WebUtility.HtmlEncode(l)))) + "</p>");
        var html = "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">" + string.Concat(paragraphs) + "</body></html>";
        // The same id whatever the attempt: a mail client shows one mail if a resend ever happens.
        return new EmailMessage(toAddress, toName, subject, text, html, $"notification-{notificationId}@clinicbooking",
            calendar is null ? [] : [calendar]);
    }

    /// <summary>The addresses in an (encoded) line as links.</summary>
    private static string Linked(string encoded) =>
        System.Text.RegularExpressions.Regex.Replace(encoded, @"https?://[^\s<]+", m => $"<a href=\"{m.Value}\">{m.Value}</a>");

    private static EmailAttachment Calendar(Appointment a, (string Long, string Short, ZonedDateTime Start, ZonedDateTime End) when,
        Recipient to, Practice at, string from, NotificationLinks links, string method, int sequence, string status)
    {
        var calendar = new Calendar { Method = method };
        calendar.AddTimeZone(new VTimeZone(a.TimeZone));
        var entry = new CalendarEvent
        {
            Uid = Uid(a.BookingId),
            Sequence = sequence,
            DtStamp = new CalDateTime(a.ChangedAt.UtcDateTime, "UTC"),
            DtStart = new CalDateTime(when.Start.ToDateTimeUnspecified(), a.TimeZone),
            DtEnd = new CalDateTime(when.End.ToDateTimeUnspecified(), a.TimeZone),
            Summary = $"{at.DoctorName}, {at.ClinicName}",
            // An online appointment takes place at its page, where the patient joins the video call.
            Location = a.IsOnline ? $"Online video call: {links.Consultation(a.BookingId).AbsoluteUri}"
                : at.ClinicAddress is { Length: > 0 } address ? $"{at.ClinicName}, {address}" : at.ClinicName,
            Url = a.IsOnline ? links.Consultation(a.BookingId) : null,
            Status = status,
            Organizer = new Organizer($"mailto:{MimeKit.MailboxAddress.Parse(from).Address}") { CommonName = at.ClinicName },
        };
        entry.Attendees.Add(new Attendee($"mailto:{to.Email}") { CommonName = to.Name, Role = "REQ-PARTICIPANT" });
        calendar.Events.Add(entry);
        return new EmailAttachment("appointment.ics", $"text/calendar; method={method}; charset=utf-8",
            new CalendarSerializer().SerializeToString(calendar)!);
    }
}
