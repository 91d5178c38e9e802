using Microsoft.Extensions.Caching.Hybrid;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>
/// Cache tags of this cell. Every cached read carries the tags of what it was built from, and every write
/// removes them, so the writer's next read is fresh (see <see cref="Microsoft.Extensions.Hosting.Caching"/>
/// for the bound on other instances).
/// </summary>
public static class CacheTags
{
    /// <summary>Every answer about slots being free.</summary>
    public const string Availability = "availability";

    /// <summary>Everything read about one clinic: the clinic, its doctors, its availability.</summary>
    public static string Clinic(long clinicId) => $"clinic:{clinicId}";

    public static ValueTask InvalidateClinicAsync(this HybridCache cache, long clinicId, CancellationToken ct = default) =>
        cache.RemoveByTagAsync([Clinic(clinicId), Availability], ct);
}
