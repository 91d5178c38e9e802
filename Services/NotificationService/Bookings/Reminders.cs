using System.ComponentModel.DataAnnotations;
using NodaTime;

namespace ClinicBooking.NotificationService.Bookings;

/// <summary>When reminders go out (section <c>Notifications:Reminders</c>).</summary>
public sealed class ReminderOptions
{
    public const string Section = "Notifications:Reminders";

    /// <summary>
    /// How long before an appointment, in the clinic's time, each reminder is due (24 h and 2 h unless set): for
    /// clinics that did not set their own (<see cref="Data.ClinicSetting"/>).
    /// </summary>
    public List<TimeSpan> Leads { get; set; } = [];

    /// <summary>
    /// How early before it is due a reminder may go out: a herd of reminders due at one minute is sent over this
    /// window at the provider's rate, so all of them arrive in time and none long before.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "06:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    public IReadOnlyList<TimeSpan> LeadsOrDefault => Leads.Count > 0 ? Leads : [TimeSpan.FromHours(24), TimeSpan.FromHours(2)];
}

/// <summary>A reminder of an appointment: its lead time and when it is due.</summary>
public sealed record Reminder(int LeadMinutes, DateTimeOffset DueAt, DateTimeOffset NotBefore);

public static class Reminders
{
    /// <summary>
    /// The reminders of an appointment at <paramref name="startsAt"/> in a clinic in <paramref name="timeZone"/>, one per
    /// lead time of <paramref name="leads"/> (the clinic's, or the service's default), each due its lead time before the start in the clinic's own time: a
    /// 24-hour reminder of a 09:00 appointment comes at 09:00 the day before even when the clocks changed in
    /// between (then 23 or 25 hours before). A reminder whose time has passed when the booking is confirmed
    /// (a booking made inside its window) is left out.
    /// </summary>
    public static IReadOnlyList<Reminder> Of(DateTimeOffset startsAt, string timeZone, IReadOnlyList<TimeSpan> leads, ReminderOptions options, DateTimeOffset now)
    {
        var zone = DateTimeZoneProviders.Tzdb[timeZone];
        var start = Instant.FromDateTimeOffset(startsAt).InZone(zone).LocalDateTime;
        return [.. leads.Where(lead => lead > TimeSpan.Zero).Distinct()
            .Select(lead =>
            {
                var due = (start - Period.FromTicks(lead.Ticks)).InZoneLeniently(zone).ToInstant().ToDateTimeOffset(); // UTC
                return new Reminder((int)lead.TotalMinutes, due, due - options.Window);
            })
            .Where(r => r.DueAt > now && r.DueAt < startsAt)];
    }
}
