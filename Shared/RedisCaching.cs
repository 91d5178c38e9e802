using ClinicBooking.Contracts;
using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;

namespace ClinicBooking.Shared;

/// <summary>
/// HybridCache: an in-process first level in front of Redis (<see cref="RedisConnection.AddRedisConnection"/>).
/// When Redis is away, reads fall through to their source. Its commands are not traced: the saga's background tag
/// invalidation alone sends a dozen Redis commands every 50 ms per cell, one span each, more spans than the
/// bookings themselves make, and the dashboard's ingestion of spans is what the booking bench is bound by
/// (bench/README.md has the figures with and without).
/// </summary>
internal static class RedisCaching
{
    public static IHostApplicationBuilder AddRedisHybridCache(this IHostApplicationBuilder builder, HybridCacheEntryOptions defaults)
    {
        builder.AddRedisConnection();
        builder.Services.AddStackExchangeRedisCache(_ => { });
        builder.Services.AddOptions<Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions>()
            .Configure<IServiceProvider>((redis, services) =>
                redis.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddHybridCache(cache => cache.DefaultEntryOptions = defaults);
        return builder;
    }
}
