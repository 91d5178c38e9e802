using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClinicBooking.Messaging.Outbox;

/// <summary>
/// Sends whatever the outbox still holds unsent after <see cref="OutboxOptions.RedeliveryDelay"/>: messages a
/// broker outage, a failed publish or a crash left behind (or, for a service that sends nothing right after
/// its commit, every message: its delay is zero). Rows are locked with SKIP LOCKED, so several instances
/// share the work. A message can be sent twice (a crash between confirm and stamp, a slow first attempt),
/// which the consumers are built to ignore; it cannot be lost, nor sent for a change that rolled back. One that
/// can never be sent is parked, so it never holds back the rows behind it.
/// </summary>
public sealed class OutboxRedriver<TMessage>(
    IOutboxStore<TMessage> store, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxRedriver<TMessage>> logger)
    : BackgroundService where TMessage : OutboxMessage
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var database in store.Databases)
            {
                try
                {
                    while (await RedriveBatchAsync(database, stoppingToken) == BatchSize)
                    {
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Re-driving the outbox of database {Database} failed; retrying on the next round", database);
                }
            }
        }
    }

    /// <summary>Publishes one batch of a database's overdue unsent rows; how many it settled (sent or parked).</summary>
    private async Task<int> RedriveBatchAsync(int database, CancellationToken ct)
    {
        await using var db = store.CreateContext(database);
        // A context that retries transient failures runs its transactions inside its execution strategy; a
        // retried round may send a message again, which the consumers ignore.
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var rows = await db.Set<TMessage>()
                .FromSql($"""
                    SELECT * FROM outbox_messages
                     WHERE sent_at IS NULL AND parked_at IS NULL AND created_at < now() - {options.Value.RedeliveryDelay}
                     ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                    """)
                .AsNoTracking()
                .ToListAsync(token);
            if (rows.Count == 0)
            {
                return 0;
            }
            var result = await store.RedriveAsync(db, database, rows, token);
            var sent = result.Sent.ToList();
            await db.Set<TMessage>().Where(m => sent.Contains(m.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, _ => DateTimeOffset.UtcNow), token);
            // One statement per reason (a store has few), not one per parked row.
            foreach (var parked in result.Parked.GroupBy(p => p.Value, p => p.Key))
            {
                var ids = parked.ToList();
                await db.Set<TMessage>().Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(u => u
                    .SetProperty(m => m.ParkedAt, _ => DateTimeOffset.UtcNow)
                    .SetProperty(m => m.ParkedReason, parked.Key), token);
            }
            await transaction.CommitAsync(token);
            if (result.Parked.Count > 0)
            {
                logger.LogWarning("Parked {Parked} outbox messages of database {Database} that can never be sent", result.Parked.Count, database);
            }
            logger.LogDebug("Re-drove {Sent} outbox messages of database {Database}", sent.Count, database);
            return sent.Count + result.Parked.Count;
        }, ct);
    }
}
