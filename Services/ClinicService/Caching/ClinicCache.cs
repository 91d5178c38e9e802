using System.Collections.Concurrent;
using System.Globalization;
using ClinicBooking.ClinicService.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Hybrid;

namespace ClinicBooking.ClinicService.Caching;

/// <summary>
/// What this cell caches (HybridCache: in-process in front of Redis), and how writes make it fresh. Every
/// cached read carries the tags of what it was built from: its clinic's, and for free slots
/// <see cref="AvailabilityTag"/>. A write drops those tags when it commits, in Redis and in this process.
/// The bounds of what that leaves: another instance's in-process copy lives at most
/// <see cref="LocalExpiration"/>, and a read that raced a write (and cached what it read before the write
/// committed) at most <see cref="DistributedExpiration"/>.
/// </summary>
public sealed class ClinicCache(HybridCache cache, Microsoft.Extensions.Options.IOptions<Sharding.CellOptions> cell)
{
    // Answers that span the cell's clinics (a search) depend on which shards the cell serves, and every cell
    // shares one Redis: their keys and tags name the shards, or one cell would serve another's page.
    private readonly string _shards = "s" + string.Join('-', cell.Value.Shards.Order());

    public static readonly TimeSpan LocalExpiration = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DistributedExpiration = TimeSpan.FromSeconds(30);

    /// <summary>Every answer about slots being free.</summary>
    public const string AvailabilityTag = "availability";

    // This process's change counters, part of every cache key: a write bumps them before it drops the tags,
    // so a reader in this process is never served an entry built before the write, whatever the timing of the
    // tag invalidation. Tags still reach Redis and the cell's other instances.
    private readonly ConcurrentDictionary<long, long> _clinicVersions = new();
    private long _version;

    public static string ClinicTag(long clinicId) => $"clinic:{clinicId}";

    /// <summary>Something of one clinic (the clinic, a doctor), cached under its clinic's tag.</summary>
    public ValueTask<T> GetOrCreateForClinicAsync<T>(string kind, long id, long clinicId,
        Func<CancellationToken, ValueTask<T>> read, CancellationToken ct, TimeSpan? expiration = null) =>
        cache.GetOrCreateAsync(
            string.Create(CultureInfo.InvariantCulture, $"{kind}:{id}:v{_clinicVersions.GetValueOrDefault(clinicId)}"),
            read, Shorter(expiration), tags: [ClinicTag(clinicId)], cancellationToken: ct);

    /// <summary>
    /// An availability answer, under <see cref="AvailabilityTag"/> (and its clinic's tag when it is about one
    /// clinic); <paramref name="query"/> is what makes the answer, in invariant text.
    /// </summary>
    public ValueTask<T> GetOrCreateAvailabilityAsync<T>(string query, long? clinicId,
        Func<CancellationToken, ValueTask<T>> read, CancellationToken ct, TimeSpan? expiration = null) =>
        cache.GetOrCreateAsync($"availability:{_shards}:v{Interlocked.Read(ref _version)}:{query}", read,
            Shorter(expiration), tags: clinicId is { } clinic ? [AvailabilityTag, ClinicTag(clinic)] : [AvailabilityTag], cancellationToken: ct);

    /// <summary>
    /// An entry that must go sooner than the defaults (one read from a replica: its staleness plus its time in the
    /// cache stay within the replicas' bound); null for the defaults.
    /// </summary>
    private static HybridCacheEntryOptions? Shorter(TimeSpan? expiration) => expiration is { } e
        ? new HybridCacheEntryOptions { Expiration = e < DistributedExpiration ? e : DistributedExpiration, LocalCacheExpiration = e < LocalExpiration ? e : LocalExpiration }
        : null;

    /// <summary>
    /// Makes this process fresh for a change of the clinic at once; the Redis tags are dropped by the caller
    /// (<see cref="InvalidateClinicAsync"/>, or the saga's <see cref="CacheInvalidationQueue"/>).
    /// </summary>
    public void Bump(long? clinicId)
    {
        Interlocked.Increment(ref _version);
        if (clinicId is { } id)
        {
            _clinicVersions.AddOrUpdate(id, 1, (_, v) => v + 1);
        }
    }

    /// <summary>
    /// Drops what was cached about a clinic. Never fails the write that calls it: when Redis is away the
    /// local entries are dropped all the same, and Redis's copies expire within the stated bound.
    /// </summary>
    public async ValueTask InvalidateClinicAsync(long clinicId, CancellationToken ct = default)
    {
        Bump(clinicId);
        try
        {
            await RemoveClinicTagsAsync([clinicId], ct);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The write itself committed; a cache that is away must not turn it into an error.
        }
    }

    /// <summary>Drops the tags of several clinics, and every availability answer, in one call (no counters bumped).</summary>
    public ValueTask RemoveClinicTagsAsync(IEnumerable<long> clinicIds, CancellationToken ct) =>
        cache.RemoveByTagAsync([.. clinicIds.Select(ClinicTag), AvailabilityTag], ct);

    /// <summary>Drops every cached availability answer of this cell (after slot generation).</summary>
    public async ValueTask InvalidateAvailabilityAsync(CancellationToken ct = default)
    {
        Bump(null);
        await cache.RemoveByTagAsync(AvailabilityTag, ct);
    }
}

public static class CachingExtensions
{
    public static IHostApplicationBuilder AddClinicCaching(this IHostApplicationBuilder builder)
    {
        builder.AddRedisHybridCache(new HybridCacheEntryOptions
        {
            LocalCacheExpiration = ClinicCache.LocalExpiration,
            Expiration = ClinicCache.DistributedExpiration,
        });
        builder.Services.AddSingleton<ClinicCache>();
        builder.Services.AddSingleton<IInterceptor, CacheInvalidationInterceptor>();
        builder.Services.AddSingleton<CacheInvalidationQueue>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CacheInvalidationQueue>());
        return builder;
    }
}
