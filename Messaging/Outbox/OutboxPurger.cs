using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClinicBooking.Messaging.Outbox;

/// <summary>
/// Deletes sent outbox rows once they are older than <see cref="OutboxOptions.SentRetention"/>, and parked ones
/// after <see cref="OutboxOptions.ParkedRetention"/> (ages by the database's clock, which stamped them); then
/// counts what is left (<see cref="OutboxStats{TMessage}"/>).
/// </summary>
public sealed class OutboxPurger<TMessage>(
    IOutboxStore<TMessage> store, OutboxStats<TMessage> stats, IOptions<OutboxOptions> options, TimeProvider clock,
    ILogger<OutboxPurger<TMessage>> logger) : BackgroundService where TMessage : OutboxMessage
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var (sentRetention, parkedRetention) = (options.Value.SentRetention, options.Value.ParkedRetention);
            foreach (var database in store.Databases)
            {
                try
                {
                    await using var db = store.CreateContext(database);
                    await db.Set<TMessage>().Where(m => m.SentAt != null && m.SentAt < DateTimeOffset.UtcNow - sentRetention)
                        .ExecuteDeleteAsync(stoppingToken);
                    await db.Set<TMessage>().Where(m => m.ParkedAt != null && m.ParkedAt < DateTimeOffset.UtcNow - parkedRetention)
                        .ExecuteDeleteAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Purging the outbox of database {Database} failed", database);
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
