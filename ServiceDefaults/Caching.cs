using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// HybridCache: an in-process first level in front of Redis. Writers drop the entries they affect by tag
/// when they commit, in Redis and in this process, so the next read is fresh. Two bounds cover the rest:
/// another instance's in-process copy lives at most <see cref="LocalExpiration"/>, and a read that raced a
/// write (and cached what it read before the write committed) lives at most <see cref="DistributedExpiration"/>.
/// When Redis is down, reads fall through to the database.
/// </summary>
public static class Caching
{
    public static readonly TimeSpan LocalExpiration = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DistributedExpiration = TimeSpan.FromSeconds(30);

    public static IHostApplicationBuilder AddHybridCaching(this IHostApplicationBuilder builder, string redisConnectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(redisConnectionName);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var options = ConfigurationOptions.Parse(connectionString);
            // Never block a request on a cache that is away: fail fast and let the reader use the database.
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = 1000;
            options.AsyncTimeout = 500;
            options.SyncTimeout = 500;
            options.ConnectRetry = 1;
            builder.Services.AddStackExchangeRedisCache(redis => redis.ConfigurationOptions = options);
        }

        builder.Services.AddHybridCache(cache => cache.DefaultEntryOptions = new HybridCacheEntryOptions
        {
            LocalCacheExpiration = LocalExpiration,
            Expiration = DistributedExpiration,
        });
        return builder;
    }
}
