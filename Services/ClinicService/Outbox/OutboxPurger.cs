using ClinicBooking.ClinicService.Sharding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>
/// Deletes sent outbox messages once they are older than <see cref="OutboxOptions.SentRetention"/>, and parked
/// ones after <see cref="OutboxOptions.ParkedRetention"/>; then counts what is left (<see cref="OutboxStats"/>).
/// </summary>
public sealed class OutboxPurger(ShardDatabases shards, OutboxStats stats, IOptions<OutboxOptions> options, TimeProvider clock,
    ILogger<OutboxPurger> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PurgeInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var (sentRetention, parkedRetention) = (options.Value.SentRetention, options.Value.ParkedRetention);
            foreach (var shard in shards.Shards)
            {
                try
                {
                    // Ages by the database's clock, which stamped the rows.
                    await using var db = shards.CreateContext(shard);
                    await db.OutboxMessages.Where(m => m.SentAt != null && m.SentAt < DateTimeOffset.UtcNow - sentRetention)
                        .ExecuteDeleteAsync(stoppingToken);
                    await db.OutboxMessages.Where(m => m.ParkedAt != null && m.ParkedAt < DateTimeOffset.UtcNow - parkedRetention)
                        .ExecuteDeleteAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Purging sent outbox messages of shard {Shard} failed", shard);
                }
            }
            try
            {
                await stats.CountAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Counting the outbox failed");
            }
        }
    }
}

public static class OutboxExtensions
{
    /// <summary>The shards' outbox: sent right after each commit, re-driven when that failed, purged once old.</summary>
    public static IHostApplicationBuilder AddOutbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddSingleton<OutboxSender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxSender>());
        builder.Services.AddHostedService<OutboxRedriver>();
        builder.Services.AddSingleton<OutboxStats>();
        builder.Services.AddHostedService<OutboxPurger>();
        return builder;
    }
}
