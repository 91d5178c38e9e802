using StackExchange.Redis;

namespace ClinicBooking.Gateway.Apis;

/// <summary>
/// One placement of a new clinic at a time, across every gateway instance: a lock in Redis (the instances share
/// it), taken in this process first so the instance's own requests queue here rather than poll Redis. If
/// Redis does not answer, the process's own lock still orders this instance's placements.
/// </summary>
public sealed class PlacementLock(IConnectionMultiplexer redis, ILogger<PlacementLock> logger)
{
    private static readonly RedisKey Key = "gateway:clinic-placement";
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _local = new(1, 1);
    private readonly IConnectionMultiplexer _redis = redis;
    private readonly ILogger<PlacementLock> _logger = logger;

    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken ct)
    {
        await _local.WaitAsync(ct);
        var token = Guid.NewGuid().ToString("N");
        var held = false;
        try
        {
            var deadline = DateTime.UtcNow + Wait;
            while (!(held = await _redis.GetDatabase().LockTakeAsync(Key, token, Expiry)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, ct);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _logger.LogWarning(ex, "The placement lock in Redis could not be taken; this instance's own lock orders its placements");
        }
        return new Held(this, token, held);
    }

    private sealed class Held(PlacementLock owner, string token, bool inRedis) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (inRedis)
                {
                    await owner._redis.GetDatabase().LockReleaseAsync(Key, token);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                owner._logger.LogWarning(ex, "The placement lock could not be released; it expires within {Expiry}", Expiry);
            }
            finally
            {
                owner._local.Release();
            }
        }
    }
}
