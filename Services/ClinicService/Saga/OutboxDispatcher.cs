using System.Threading.Channels;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClinicBooking.ClinicService.Saga;

/// <summary>
/// Sends what the shards' outboxes hold. A change that wrote messages hands them over right after its
/// commit (<see cref="PublishCommitted"/>), so a booking never waits for a timer. They go out in batches, one
/// RabbitMQ message per kind (<see cref="VerifyCustomers"/>, <see cref="BookingStatusChanges"/>): whatever
/// was handed over while the previous batch waited for the broker's confirm goes in the next one, so one
/// booking at a time is sent at once, and a busy cell pays the broker and the consumers once per batch, not
/// once per booking. Confirmed messages are stamped sent in batches too. The re-driver sends whatever is still
/// unstamped after <see cref="BookingOptions.RedeliveryDelay"/>: messages a broker outage, a failed publish or
/// a crash left behind. Re-driven rows are locked with SKIP LOCKED, so several instances of a cell share the
/// work. A message can be sent twice (a crash between confirm and stamp, a slow first attempt), which the
/// consumers are built to ignore; it cannot be lost, nor sent for a change that rolled back.
/// </summary>
public sealed class OutboxDispatcher(
    ShardDatabases shards, IBus bus, IOptions<BookingOptions> options, ReplyQueue replyQueue, TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StampInterval = TimeSpan.FromMilliseconds(50);

    // One queue per kind: questions are on the booking's critical path, status events are not.
    private readonly Channel<(int Shard, OutboxMessage Message)> _questions = Committed();
    private readonly Channel<(int Shard, OutboxMessage Message)> _events = Committed();
    private readonly Channel<(int Shard, long Id)> _confirmed = Channel.CreateUnbounded<(int, long)>();
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <summary>Queues messages whose transaction has just committed for the next batch, without waiting for it.</summary>
    public void PublishCommitted(int shard, IEnumerable<OutboxMessage> messages)
    {
        foreach (var message in messages)
        {
            (message.MessageType == nameof(VerifyCustomer) ? _questions : _events).Writer.TryWrite((shard, message));
        }
    }

    private static Channel<(int, OutboxMessage)> Committed() =>
        Channel.CreateUnbounded<(int, OutboxMessage)>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.WhenAll(
            SendCommittedAsync(_questions, options.Value.QuestionBatchWindow, stoppingToken),
            SendCommittedAsync(_events, options.Value.EventBatchWindow, stoppingToken),
            StampConfirmedAsync(stoppingToken),
            RedriveAsync(stoppingToken));
    }

    /// <summary>
    /// Sends the committed messages of one kind: all that are waiting, as one batch, at most one batch per
    /// <paramref name="window"/>. A message that finds the last batch gone longer ago than that goes at once,
    /// so a lone booking never waits; under load, what arrives within the window (or while the last batch
    /// waits for the broker's confirm) rides along. A batch the broker did not take stays unstamped for the
    /// re-driver.
    /// </summary>
    private async Task SendCommittedAsync(Channel<(int Shard, OutboxMessage Message)> committed, TimeSpan window, CancellationToken stoppingToken)
    {
        var batch = new List<(int Shard, OutboxMessage Message)>();
        var lastSent = 0L;
        while (await committed.Reader.WaitToReadAsync(stoppingToken))
        {
            if (window - clock.GetElapsedTime(lastSent) is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
            lastSent = clock.GetTimestamp();
            while (batch.Count < BatchSize * 10 && committed.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            var sent = await PublishAsync(batch.Select(m => m.Message).ToList(), stoppingToken);
            foreach (var (shard, message) in batch.Where(m => sent.Contains(m.Message.Id)))
            {
                _confirmed.Writer.TryWrite((shard, message.Id));
            }
            batch.Clear();
        }
    }

    /// <summary>
    /// Stamps confirmed messages sent, many per statement and at most every <see cref="StampInterval"/>: one
    /// commit per message would double the writes of a booking.
    /// </summary>
    private async Task StampConfirmedAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(int Shard, long Id)>();
        while (await _confirmed.Reader.WaitToReadAsync(stoppingToken))
        {
            await Task.Delay(StampInterval, clock, stoppingToken);
            while (batch.Count < 1_000 && _confirmed.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            foreach (var group in batch.GroupBy(m => m.Shard))
            {
                var ids = group.Select(m => m.Id).ToArray();
                try
                {
                    await StampAsync(group.Key, ids, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Left unstamped, they are sent once more by the re-driver; the consumers shrug that off.
                    logger.LogWarning(ex, "Could not stamp {Count} outbox messages of shard {Shard} sent", ids.Length, group.Key);
                }
            }
            batch.Clear();
        }
    }

    /// <summary>
    /// A stamp is only a hint for the re-driver, so its commit does not wait for the disk: a crash can lose
    /// the last few, and those messages are sent once more, which the consumers ignore.
    /// </summary>
    private async Task StampAsync(int shard, long[] ids, CancellationToken ct)
    {
        await using var connection = await shards.DataSource(shard).OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SET LOCAL synchronous_commit = off"),
                new NpgsqlBatchCommand("UPDATE outbox_messages SET sent_at = $1 WHERE id = ANY($2)")
                {
                    Parameters = { new() { Value = clock.UtcNowMicroseconds() }, new() { Value = ids } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task RedriveAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var shard in shards.Shards)
            {
                try
                {
                    while (await RedriveBatchAsync(shard, stoppingToken) == BatchSize)
                    {
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Re-driving the outbox of shard {Shard} failed; retrying on the next round", shard);
                }
            }
            await PurgeSentAsync(stoppingToken);
        }
    }

    /// <summary>Publishes one batch of a shard's overdue unsent messages; returns how many were sent.</summary>
    private async Task<int> RedriveBatchAsync(int shard, CancellationToken ct)
    {
        await using var db = shards.CreateContext(shard);
        var overdue = clock.GetUtcNow() - options.Value.RedeliveryDelay;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var batch = await db.OutboxMessages
            .FromSql($"""
                SELECT * FROM outbox_messages WHERE sent_at IS NULL AND created_at < {overdue}
                 ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                """)
            .AsNoTracking()
            .ToListAsync(ct);
        if (batch.Count == 0)
        {
            return 0;
        }
        var sent = (await PublishAsync(batch, ct)).ToList();
        var now = clock.GetUtcNow();
        await db.OutboxMessages.Where(m => sent.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, now), ct);
        await transaction.CommitAsync(ct);
        if (sent.Count > 0)
        {
            logger.LogInformation("Re-drove {Count} outbox messages of shard {Shard}", sent.Count, shard);
        }
        return sent.Count;
    }

    /// <summary>
    /// Publishes the messages as one batch message per kind, side by side; returns the ids of those the broker
    /// confirmed. MassTransit traces each batch on its own; every item carries its own trace to the consumer,
    /// whose span for the item links back to the batch (<see cref="BatchTracing"/>).
    /// </summary>
    private async Task<HashSet<long>> PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken ct)
    {
        var readable = new List<(OutboxMessage Row, object Message)>();
        foreach (var row in messages)
        {
            try
            {
                readable.Add((row, row.Deserialize()));
            }
            catch (Exception ex)
            {
                // One unreadable row must not hold back the batch it came in; it stays unsent, and says so.
                logger.LogError(ex, "Outbox message {Id} ({MessageType}) cannot be read; it is not sent", row.Id, row.MessageType);
            }
        }
        var sent = new HashSet<long>();
        var published = await Task.WhenAll(readable.GroupBy(m => m.Row.MessageType).Select(async kind =>
        {
            var batch = kind.ToList();
            return (Messages: batch, Ok: await TryPublishAsync(kind.Key, batch, ct));
        }));
        foreach (var (batch, ok) in published.Where(p => p.Ok))
        {
            sent.UnionWith(batch.Select(m => m.Row.Id));
        }
        return sent;
    }

    private async Task<bool> TryPublishAsync(string messageType, List<(OutboxMessage Row, object Message)> messages, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(PublishTimeout);
            if (messageType == nameof(VerifyCustomer))
            {
                await bus.Publish(new VerifyCustomers(Items<VerifyCustomer>(messages)),
                    context => context.ResponseAddress = replyQueue.Address, timeout.Token);
            }
            else
            {
                await bus.Publish(new BookingStatusChanges(Items<BookingStatusChanged>(messages)), timeout.Token);
            }
            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not publish {Count} outbox messages ({MessageType}); the re-driver will", messages.Count, messageType);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false; // shutting down: the re-driver of the next run sends them
        }
    }

    private static List<Traced<T>> Items<T>(List<(OutboxMessage Row, object Message)> messages) =>
        messages.Select(m => new Traced<T>(m.Row.MessageId, (T)m.Message, m.Row.TraceParent)).ToList();

    private async Task PurgeSentAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _lastPurge < PurgeInterval)
        {
            return;
        }
        _lastPurge = now;
        var cutoff = now - options.Value.SentRetention;
        foreach (var shard in shards.Shards)
        {
            try
            {
                await using var db = shards.CreateContext(shard);
                await db.OutboxMessages.Where(m => m.SentAt != null && m.SentAt < cutoff).ExecuteDeleteAsync(ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Purging sent outbox messages of shard {Shard} failed", shard);
            }
        }
    }
}

/// <summary>The queue this cell's saga replies arrive on (<see cref="BookingOptions.ReplyQueue"/>).</summary>
public sealed record ReplyQueue(string Name)
{
    /// <summary>
    /// Replies go to the exchange MassTransit binds to the queue, not to the queue itself: a sender that
    /// names a queue declares it, and its default (classic) declaration would clash with the quorum queue.
    /// </summary>
    public Uri Address { get; } = new($"exchange:{Name}");
}
