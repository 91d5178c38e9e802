using NodaTime;
using NodaTime.TimeZones;

namespace ClinicBooking.ClinicService.Slots;

/// <summary>
/// Clinic-local dates and shift times to instants and back, with the clinic's IANA zone in NodaTime's tzdb:
/// the system's one time-zone database (slot generation uses it too; PostgreSQL only checks zone names).
/// </summary>
public static class SlotTimes
{
    private static DateTimeZone Zone(string timeZone) => DateTimeZoneProviders.Tzdb[timeZone];

    /// <summary>The instant as the clinic's wall-clock time, with the offset in force then.</summary>
    public static DateTimeOffset ToClinicTime(DateTimeOffset instant, string timeZone) =>
        Instant.FromDateTimeOffset(instant).InZone(Zone(timeZone)).ToDateTimeOffset();

    // Resolves wall-clock times that a daylight-saving change skips or repeats: a skipped time moves forward
    // by the gap, a repeated time takes the offset in force after the change (the later instant), as
    // PostgreSQL's AT TIME ZONE did when it generated slots. Hand-made and generated slots use this one rule.
    private static readonly ZoneLocalMappingResolver LikePostgres =
        Resolvers.CreateMappingResolver(Resolvers.ReturnLater, Resolvers.ReturnForwardShifted);

    /// <summary>A shift on a clinic-local date as instants.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Resolve(DateOnly date, TimeOnly start, TimeOnly end, string timeZone)
    {
        var zone = Zone(timeZone);
        var day = LocalDate.FromDateOnly(date);
        return (zone.ResolveLocal(day.At(LocalTime.FromTimeOnly(start)), LikePostgres).ToDateTimeOffset().ToUniversalTime(),
                zone.ResolveLocal(day.At(LocalTime.FromTimeOnly(end)), LikePostgres).ToDateTimeOffset().ToUniversalTime());
    }

    /// <summary>Today in the clinic's time zone.</summary>
    public static DateOnly Today(string timeZone, TimeProvider clock) => Today(timeZone, clock.GetUtcNow());

    /// <summary>The clinic-local date at <paramref name="now"/>.</summary>
    public static DateOnly Today(string timeZone, DateTimeOffset now) =>
        Instant.FromDateTimeOffset(now).InZone(Zone(timeZone)).Date.ToDateOnly();
}
