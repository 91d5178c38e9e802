using System.Threading.Channels;
namespace ClinicBooking.ClinicService.Caching;

/// <summary>
/// The booking saga's cache invalidation. Every hold, decision and release changes a clinic's availability,
/// hundreds of times a second under load; dropping the Redis tags for each would add a Redis round trip to
/// every step of every booking. Instead, a change bumps this process's change counters at once, so this cell
/// never serves an entry the change made stale, and the tags are dropped in Redis in the background: each
/// round, at most every <see cref="Round"/>, drops every tag that changed since the last one, once. Other
/// instances see the change that much later, well inside <see cref="ClinicCache.LocalExpiration"/>.
/// </summary>
public sealed class CacheInvalidationQueue(ClinicCache cache, TimeProvider clock, ILogger<CacheInvalidationQueue> logger) : BackgroundService
{
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(50);

    private readonly Channel<long> _clinics = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    public void InvalidateClinic(long clinicId)
    {
        cache.Bump(clinicId);
        _clinics.Writer.TryWrite(clinicId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clinics = new HashSet<long>();
        while (await _clinics.Reader.WaitToReadAsync(stoppingToken))
        {
            await Task.Delay(Round, clock, stoppingToken);
            while (_clinics.Reader.TryRead(out var clinicId))
            {
                clinics.Add(clinicId);
            }
            try
            {
                await cache.RemoveClinicTagsAsync(clinics, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Redis is away: its copies expire within the stated bound, and this process is fresh already.
                logger.LogDebug(ex, "Could not drop the cache tags of {Count} clinics in Redis", clinics.Count);
            }
            clinics.Clear();
        }
    }
}
