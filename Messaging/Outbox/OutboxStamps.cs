using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClinicBooking.Messaging.Outbox;

/// <summary>Where an <see cref="OutboxChannel{T}"/> reports the rows the broker confirmed.</summary>
public interface IOutboxStamps
{
    void Confirmed(int database, long rowId);
}

/// <summary>
/// Stamps confirmed rows sent, many per statement and at most every <see cref="Interval"/>: one commit per
/// message would double the writes of the change that wrote it. A stamp is only a hint for the re-driver, so
/// its commit does not wait for the disk: a crash can lose the last few, and those messages are sent once
/// more, which the consumers are built to ignore.
/// </summary>
public sealed class OutboxStamper<TMessage>(IOutboxStore<TMessage> store, TimeProvider clock, ILogger<OutboxStamper<TMessage>> logger)
    : BackgroundService, IOutboxStamps where TMessage : OutboxMessage
{
    private const int MaxBatch = 1_000;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private readonly Channel<(int Database, long RowId)> _confirmed = Channel.CreateUnbounded<(int, long)>();

    public void Confirmed(int database, long rowId) => _confirmed.Writer.TryWrite((database, rowId));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(int Database, long RowId)>();
        while (await _confirmed.Reader.WaitToReadAsync(stoppingToken))
        {
            await Task.Delay(Interval, clock, stoppingToken);
            while (batch.Count < MaxBatch && _confirmed.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            foreach (var database in batch.GroupBy(m => m.Database))
            {
                var ids = database.Select(m => m.RowId).ToArray();
                try
                {
                    await using var db = store.CreateContext(database.Key);
                    await db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
                    {
                        await using var transaction = await db.Database.BeginTransactionAsync(token);
                        await db.Database.ExecuteSqlRawAsync("SET LOCAL synchronous_commit = off", token);
                        await db.Set<TMessage>().Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, _ => DateTimeOffset.UtcNow), token);
                        await transaction.CommitAsync(token);
                    }, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Left unstamped, they are sent once more by the re-driver; the consumers shrug that off.
                    logger.LogWarning(ex, "Could not stamp {Count} outbox messages of database {Database} sent", ids.Length, database.Key);
                }
            }
            batch.Clear();
        }
    }
}
