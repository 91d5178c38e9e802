using Microsoft.Extensions.Caching.Hybrid;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>
/// Cache tags of this cell. Every cached read carries the tags of what it was built from, and every write
/// removes them, so the writer's next read is fresh (see <see cref="Microsoft.Extensions.Hosting.Caching"/>
/// for the bound on other instances).
/// </summary>
public static class CacheTags
{
    /// <summary>
    /// This process's change counters, part of every cache key: a write bumps them before it drops the
    /// tags, so a reader in this process can never be served an entry built before the write, whatever the
    /// timing of the tag invalidation. Tags still reach Redis and the cell's other instances.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<long, long> ClinicVersions = new();
    private static long _version;

    /// <summary>Changes whenever anything in this cell changes.</summary>
    public static long Version => Interlocked.Read(ref _version);

    /// <summary>Changes whenever something of the clinic changes.</summary>
    public static long ClinicVersion(long clinicId) => ClinicVersions.GetValueOrDefault(clinicId);

    internal static void Bump(long? clinicId)
    {
        Interlocked.Increment(ref _version);
        if (clinicId is { } id)
        {
            ClinicVersions.AddOrUpdate(id, 1, (_, v) => v + 1);
        }
    }

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
        Bump(clinicId);
        try
        {
            await cache.RemoveClinicTagsAsync([clinicId], ct);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The write itself committed; a cache that is away must not turn it into an error.
        }
    }

    /// <summary>
    /// Drops the tags of several clinics (and every availability answer) in one call, without bumping the
    /// change counters: <see cref="Infrastructure.CacheInvalidationQueue"/> has bumped them already.
    /// </summary>
    public static ValueTask RemoveClinicTagsAsync(this HybridCache cache, IEnumerable<long> clinicIds, CancellationToken ct) =>
        cache.RemoveByTagAsync([.. clinicIds.Select(Clinic), Availability], ct);

    /// <summary>Drops every cached availability answer of this cell (after slot generation).</summary>
    public static async ValueTask InvalidateAvailabilityAsync(this HybridCache cache, CancellationToken ct = default)
    {
        Bump(null);
        await cache.RemoveByTagAsync(Availability, ct);
    }
}
