using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Sharding;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClinicBooking.UnitTests;

/// <summary>
/// Issue 26, finding 7: every cell keyed its cached search answers with only its own change counter and the
/// query, in the one Redis all cells share; two cells whose counters were equal (both just started) served each
/// other's pages. Two cells here, each with its own in-process cache and one shared second level (as Redis is).
/// </summary>
public sealed class CellCacheKeyTests
{
    [Fact]
    public async Task A_cell_never_answers_a_search_with_another_cells_page()
    {
        var shared = new SharedSecondLevel(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())));
        var cell0 = Cell(shared, shard: 0);
        var cell1 = Cell(shared, shard: 1);
        const string query = "20270101:20270107:cardiology:::::50";

        Assert.Equal("shard 0's slots", await cell0.GetOrCreateAvailabilityAsync(query, null, _ => ValueTask.FromResult("shard 0's slots"), CancellationToken.None));
        Assert.Equal("shard 1's slots", await cell1.GetOrCreateAvailabilityAsync(query, null, _ => ValueTask.FromResult("shard 1's slots"), CancellationToken.None));
        // The second level is really shared: a new process of cell 0 finds its answer there.
        Assert.Equal("shard 0's slots", await Cell(shared, shard: 0).GetOrCreateAvailabilityAsync(query, null, _ => ValueTask.FromResult("read again"), CancellationToken.None));
    }

    /// <summary>A cell process: its own HybridCache (its first level), the shared second level, its shards.</summary>
    private static ClinicCache Cell(IDistributedCache shared, int shard)
    {
        var services = new ServiceCollection();
        services.AddSingleton(shared);
        services.AddHybridCache();
        services.AddSingleton(Options.Create(new CellOptions { Shards = [shard] }));
        return ActivatorUtilities.CreateInstance<ClinicCache>(services.BuildServiceProvider());
    }

    /// <summary>
    /// Redis, as far as HybridCache can tell: it passes over a MemoryDistributedCache as a second level (no use
    /// in one process), so the in-memory store is wrapped.
    /// </summary>
    private sealed class SharedSecondLevel(IDistributedCache inner) : IDistributedCache
    {
        public byte[]? Get(string key) => inner.Get(key);
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);
        public void Refresh(string key) => inner.Refresh(key);
        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);
        public void Remove(string key) => inner.Remove(key);
        public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);
        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);
        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
            inner.SetAsync(key, value, options, token);
    }
}
