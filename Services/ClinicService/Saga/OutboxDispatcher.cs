using System.Diagnostics;
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
/// commit (<see cref="PublishCommitted"/>), so a booking never waits for a timer; each is published on its
/// own, and stamped sent in batches once the broker has confirmed it. The re-driver sends whatever is still
/// unstamped after <see cref="BookingOptions.RedeliveryDelay"/>: messages a broker outage, a failed publish or
/// a crash left behind. Re-driven rows are locked with SKIP LOCKED, so several instances of a cell share the
/// work. A message can be sent twice (a crash between confirm and stamp, a slow first attempt), which the
/// consumers are built to ignore; it cannot be lost, nor sent for a change that rolled back.
/// </summary>
public sealed class OutboxDispatcher(
    ShardDatabases shards, IBus bus, IOptions<BookingOptions> options, ReplyQueue replyQueue, TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("ClinicBooking.Outbox");

    private const int BatchSize = 100;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StampInterval = TimeSpan.FromMilliseconds(50);

    private readonly Channel<(int Shard, long Id)> _confirmed = Channel.CreateUnbounded<(int, long)>();
    private readonly CancellationTokenSource _stopping = new();
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <summary>Publishes messages whose transaction has just committed, without waiting for them.</summary>
    public void PublishCommitted(int shard, IEnumerable<OutboxMessage> messages)
    {
        foreach (var message in messages)
        {
            _ = PublishAndStampAsync(shard, message);
        }
    }

    private async Task PublishAndStampAsync(int shard, OutboxMessage message)
    {
        if (await TryPublishAsync(message, _stopping.Token))
        {
            _confirmed.Writer.TryWrite((shard, message.Id));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var _ = stoppingToken.Register(_stopping.Cancel);
        await Task.WhenAll(StampConfirmedAsync(stoppingToken), RedriveAsync(stoppingToken));
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
        // Published side by side: each waits for the broker's confirm, and they need not wait for each other.
        var published = await Task.WhenAll(batch.Select(message => TryPublishAsync(message, ct)));
        var sent = batch.Where((_, i) => published[i]).Select(m => m.Id).ToList();
        var now = clock.GetUtcNow();
        await db.OutboxMessages.Where(m => sent.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, now), ct);
        await transaction.CommitAsync(ct);
        if (sent.Count > 0)
        {
            logger.LogInformation("Re-drove {Count} outbox messages of shard {Shard}", sent.Count, shard);
        }
        return sent.Count;
    }

    private async Task<bool> TryPublishAsync(OutboxMessage message, CancellationToken ct)
    {
        // The publish joins the trace of the request or message that wrote it, however much later it runs.
        // Right after the commit, that trace is still the current one and MassTransit's send span joins it
        // by itself; a re-driven message gets a span of its own under the parent stored with it.
        using var activity = Activity.Current?.Id is { } current && current == message.TraceParent
            ? null
            : ActivitySource.StartActivity($"outbox publish {message.MessageType}", ActivityKind.Internal, message.TraceParent);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(PublishTimeout);
            await bus.Publish(message.Deserialize(), OutboxMessage.Types[message.MessageType], context =>
            {
                context.MessageId = message.MessageId;
                if (message.MessageType == nameof(VerifyCustomer))
                {
                    context.ResponseAddress = replyQueue.Address;
                }
            }, timeout.Token);
            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            logger.LogWarning(ex, "Could not publish outbox message {MessageId} ({MessageType}); the re-driver will", message.MessageId, message.MessageType);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false; // shutting down: the re-driver of the next run sends it
        }
    }

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

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
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
