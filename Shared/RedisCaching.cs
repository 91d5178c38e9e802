using ClinicBooking.Contracts;
using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;

namespace ClinicBooking.Shared;

/// <summary>
/// HybridCache: an in-process first level in front of Redis (the Aspire Redis client, connection string
/// <see cref="ResourceNames.Redis"/>). When Redis is away, reads fall through to their source: the client
/// gives up after 500 ms and never blocks start-up, and a cache that is away is no reason to take a service
/// out of rotation, so it has no health check. Its commands are not traced: the saga's background tag
/// invalidation alone sends a dozen Redis commands every 50 ms per cell, one span each, more spans than the
/// bookings themselves make, and the dashboard's ingestion of spans is what the booking bench is bound by
/// (bench/README.md has the figures with and without).
/// </summary>
internal static class RedisCaching
{
    public static IHostApplicationBuilder AddRedisHybridCache(this IHostApplicationBuilder builder, HybridCacheEntryOptions defaults)
    {
        builder.AddRedisClient(ResourceNames.Redis, settings =>
        {
            settings.DisableHealthChecks = true;
            settings.DisableTracing = true;
        }, options =>
        {
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = 1000;
            options.AsyncTimeout = 500;
            options.SyncTimeout = 500;
            options.ConnectRetry = 1;
        });
        builder.Services.AddStackExchangeRedisCache(_ => { });
        builder.Services.AddOptions<Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions>()
            .Configure<IServiceProvider>((redis, services) =>
                redis.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddHybridCache(cache => cache.DefaultEntryOptions = defaults);
        return builder;
    }
}
