using ClinicBooking.ClinicService.Sharding;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>
/// The saga's timeout, made here because no message scheduler is available for RabbitMQ: every sweep
/// interval, pending bookings past their hold deadline expire and free their slots. The deadline is in
/// the row, so a restart loses no timeout; SKIP LOCKED lets several instances sweep side by side.
/// </summary>
public sealed class BookingExpirer(ShardDatabases shards, BookingSaga saga, IOptions<BookingOptions> options,
    ILogger<BookingExpirer> logger) : BackgroundService
{
    private const int BatchSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        do
        {
            foreach (var shard in shards.Shards)
            {
                try
                {
                    int expired;
                    do
                    {
                        expired = await saga.ExpireDueAsync(shard, BatchSize, stoppingToken);
                        if (expired > 0)
                        {
                            logger.LogInformation("Expired {Count} pending bookings in shard {Shard}", expired, shard);
                        }
                    }
                    while (expired == BatchSize);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "The expiry sweep of shard {Shard} failed; retrying on the next round", shard);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
