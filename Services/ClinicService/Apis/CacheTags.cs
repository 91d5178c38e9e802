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

    /// <summary>
    /// Drops what was cached about a clinic. Never fails the write that calls it: when Redis is away the
    /// local entries are dropped all the same, and Redis's copies expire within the stated bound.
    /// </summary>
    public static async ValueTask InvalidateClinicAsync(this HybridCache cache, long clinicId, CancellationToken ct = default)
    {
        try
        {
            await cache.RemoveByTagAsync([Clinic(clinicId), Availability], ct);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The write itself committed; a cache that is away must not turn it into an error.
        }
    }
}
