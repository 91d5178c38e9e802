using NodaTime;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>Clinic-local dates and shift times to instants and back, with the clinic's IANA zone.</summary>
public static class SlotTimes
{
    private static DateTimeZone Zone(string timeZone) => DateTimeZoneProviders.Tzdb[timeZone];

    /// <summary>The instant as the clinic's wall-clock time, with the offset in force then.</summary>
    public static DateTimeOffset ToClinicTime(DateTimeOffset instant, string timeZone) =>
        Instant.FromDateTimeOffset(instant).InZone(Zone(timeZone)).ToDateTimeOffset();

    /// <summary>
    /// A shift on a clinic-local date as instants. A wall-clock time that a daylight-saving change skips or
    /// repeats is resolved leniently (later in a gap, the earlier in an overlap), as PostgreSQL's
    /// <c>AT TIME ZONE</c> does for generated slots.
    /// </summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Resolve(DateOnly date, TimeOnly start, TimeOnly end, string timeZone)
    {
        var zone = Zone(timeZone);
        var day = LocalDate.FromDateOnly(date);
        return (zone.AtLeniently(day.At(LocalTime.FromTimeOnly(start))).ToDateTimeOffset().ToUniversalTime(),
                zone.AtLeniently(day.At(LocalTime.FromTimeOnly(end))).ToDateTimeOffset().ToUniversalTime());
    }

    /// <summary>Today in the clinic's time zone.</summary>
    public static DateOnly Today(string timeZone, TimeProvider clock) =>
        Instant.FromDateTimeOffset(clock.GetUtcNow()).InZone(Zone(timeZone)).Date.ToDateOnly();
}
