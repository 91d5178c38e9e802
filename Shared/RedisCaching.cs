using ClinicBooking.Contracts;
using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;

namespace ClinicBooking.Shared;

/// <summary>
/// HybridCache: an in-process first level in front of Redis (the Aspire Redis client, connection string
/// <see cref="ResourceNames.Redis"/>). When Redis is away, reads fall through to their source: the client
/// gives up after 500 ms and never blocks start-up, and a cache that is away is no reason to take a service
/// out of rotation, so it has no health check.
/// </summary>
internal static class RedisCaching
{
    public static IHostApplicationBuilder AddRedisHybridCache(this IHostApplicationBuilder builder, HybridCacheEntryOptions defaults)
    {
        builder.AddRedisClient(ResourceNames.Redis, settings => settings.DisableHealthChecks = true, options =>
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
