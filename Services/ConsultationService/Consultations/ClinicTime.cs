using NodaTime;

namespace ClinicBooking.ConsultationService.Consultations;

/// <summary>Instants as the clinic's wall-clock time, with the offset in force then (NodaTime's tzdb, as the cells).</summary>
public static class ClinicTime
{
    public static DateTimeOffset Of(DateTimeOffset instant, string timeZone) =>
        Instant.FromDateTimeOffset(instant).InZone(DateTimeZoneProviders.Tzdb[timeZone]).ToDateTimeOffset();
}
