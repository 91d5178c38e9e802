using ClinicBooking.ClinicService.Sharding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>Deletes sent outbox messages once they are older than <see cref="OutboxOptions.SentRetention"/>.</summary>
public sealed class OutboxPurger(ShardDatabases shards, IOptions<OutboxOptions> options, TimeProvider clock,
    ILogger<OutboxPurger> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PurgeInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var cutoff = clock.GetUtcNow() - options.Value.SentRetention;
            foreach (var shard in shards.Shards)
            {
                try
                {
                    await using var db = shards.CreateContext(shard);
                    await db.OutboxMessages.Where(m => m.SentAt != null && m.SentAt < cutoff).ExecuteDeleteAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Purging sent outbox messages of shard {Shard} failed", shard);
                }
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
        builder.Services.AddHostedService<OutboxPurger>();
        return builder;
    }
}
