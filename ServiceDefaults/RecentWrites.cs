using System.Collections.Concurrent;
using System.Globalization;
using ClinicBooking.Contracts.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ClinicBooking.ServiceDefaults;

/// <summary>
/// Read-your-writes: who has just changed something. A signed-in caller's write that succeeded is noted before its
/// answer goes out (<see cref="RecentWritesExtensions.UseRecentWrites"/>), so their next reads, however quick, skip
/// what may not hold it yet: a cached answer (the gateway's search, a cell's availability) or a read replica that
/// has not replayed it. Noted in this process and in Redis, for <see cref="Window"/>, so another instance of the
/// gateway or of a cell knows it too; when Redis does not answer, a caller is taken to have written (the safe way:
/// fresh reads from the primary, uncached). Without Redis (one instance, as in the component tests), memory alone.
/// </summary>
public sealed class RecentWrites(TimeProvider clock, ILogger<RecentWrites> logger, IConnectionMultiplexer? redis = null)
{
    /// <summary>How long a write is remembered: longer than any cache or replica may lag (2 s bounds both).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RedisTimeout = TimeSpan.FromMilliseconds(500);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _local = new();

    private static RedisKey Key(string subject) => $"recent-write:{subject}";

    /// <summary>Notes that <paramref name="subject"/> has just written.</summary>
    public async Task RecordAsync(string subject)
    {
        var now = clock.GetUtcNow();
        _local[subject] = now;
        if (_local.Count > 10_000)
        {
            foreach (var (who, at) in _local.Where(w => now - w.Value > Window))
            {
                _local.TryRemove(new KeyValuePair<string, DateTimeOffset>(who, at));
            }
        }
        if (redis is null)
        {
            return;
        }
        try
        {
            await redis.GetDatabase().StringSetAsync(Key(subject), now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), Window)
                .WaitAsync(RedisTimeout);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // This instance still knows; another may not until Redis is back.
            logger.LogWarning(e, "A write could not be noted in Redis; other instances may serve its writer a cached or replica read.");
        }
    }

    /// <summary>When <paramref name="subject"/> last wrote, if within <see cref="Window"/>; null for no one (anonymous) or no write.</summary>
    public async Task<DateTimeOffset?> LastAsync(string? subject)
    {
        if (subject is null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        if (_local.TryGetValue(subject, out var local) && now - local <= Window)
        {
            return local;
        }
        if (redis is null)
        {
            return null;
        }
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(Key(subject)).WaitAsync(RedisTimeout);
            return value.HasValue && long.TryParse(value.ToString(), CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogDebug(e, "Redis did not say whether {Subject} wrote recently; taken as yes.", subject);
            return now;
        }
    }
}

public static class RecentWritesExtensions
{
    /// <summary>Read-your-writes' record; the service's Redis connection (<see cref="RedisConnection.AddRedisConnection"/>) carries it.</summary>
    public static IHostApplicationBuilder AddRecentWrites(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RecentWrites>();
        return builder;
    }

    /// <summary>
    /// Notes every signed-in caller's successful write (anything but GET, HEAD and OPTIONS answered below 400) before
    /// its answer starts, so the caller cannot read before it is noted. After authentication.
    /// </summary>
    public static IApplicationBuilder UseRecentWrites(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var method = context.Request.Method;
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method))
            {
                context.Response.OnStarting(async () =>
                {
                    if (context.Response.StatusCode < 400 && Caller.From(context.User).Subject is { } subject)
                    {
                        await context.RequestServices.GetRequiredService<RecentWrites>().RecordAsync(subject);
                    }
                });
            }
            await next(context);
        });
}
