using System.Globalization;

namespace ClinicBooking.WebApp.Components.Shared;

/// <summary>
/// Times as a patient or clinic reads them: in the clinic's local time (the instant carries the offset in force
/// there), with the zone named, never converted to the reader's or the server's zone.
/// </summary>
public static class When
{
    private static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-GB");

    public static string Day(DateOnly date) => date.ToString("dddd d MMMM yyyy", Culture);

    public static string Day(DateTimeOffset time) => time.ToString("ddd d MMM yyyy", Culture);

    public static string Time(DateTimeOffset time) => time.ToString("HH:mm", Culture);

    public static string Format(DateTimeOffset time) => time.ToString("ddd d MMM yyyy, HH:mm", Culture);

    public static string Span(DateTimeOffset start, DateTimeOffset end) => $"{Format(start)}–{Time(end)}";

    /// <summary>The zone and the offset in force then, e.g. "Europe/Berlin, UTC+02:00".</summary>
    public static string Zone(string timeZone, DateTimeOffset time) =>
        $"{timeZone}, UTC{(time.Offset < TimeSpan.Zero ? "-" : "+")}{time.Offset:hh\\:mm}";

    /// <summary>An instant as the clock at the clinic shows it (with the offset in force there then).</summary>
    public static DateTimeOffset AtClinic(DateTimeOffset instant, string timeZone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) ? TimeZoneInfo.ConvertTime(instant, zone) : instant;

    /// <summary>
    /// The instant <paramref name="day"/> ends at the clinic: the next day's midnight there, with the offset in force
    /// then (a midnight skipped by a clock change counts from the first time that does exist).
    /// </summary>
    public static DateTimeOffset EndOfDayAtClinic(DateOnly day, string timeZone)
    {
        var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            return new DateTimeOffset(midnight, TimeSpan.Zero);
        }
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly? ParseDate(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    public static long? ParseId(string? value) =>
        ClinicIds.Parse(value);
}
