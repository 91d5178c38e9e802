using System.Diagnostics;
using System.Threading.Channels;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Saga;

/// <summary>
/// The outbox's re-driver: publishes what the shards' outboxes hold and stamps it sent. Woken right after
/// a commit that wrote a message (so a booking does not wait for a timer), and every sweep interval in any
/// case, which is what sends the messages a broker outage or a crash left behind. Rows are locked with SKIP
/// LOCKED, so several instances of a cell share the work; a crash between publish and stamp sends a message
/// twice, which the consumers are built to ignore.
/// </summary>
public sealed class OutboxDispatcher(
    ShardDatabases shards, IBus bus, IOptions<BookingOptions> options, ReplyQueue replyQueue, TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("ClinicBooking.Outbox");

    private const int BatchSize = 100;
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <summary>Asks for a dispatch round now; cheap, and coalesced with any round already asked for.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var shard in shards.Shards)
            {
                try
                {
                    while (await DispatchBatchAsync(shard, stoppingToken) == BatchSize)
                    {
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Outbox dispatch for shard {Shard} failed; retrying on the next round", shard);
                }
            }
            await PurgeSentAsync(stoppingToken);
            await WaitForWorkAsync(stoppingToken);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.SweepInterval);
        try
        {
            await _wake.Reader.WaitToReadAsync(timeout.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The sweep interval passed without a wake-up: look anyway.
        }
    }

    /// <summary>Publishes one batch of a shard's unsent messages; returns how many were sent.</summary>
    private async Task<int> DispatchBatchAsync(int shard, CancellationToken ct)
    {
        await using var db = shards.CreateContext(shard);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var batch = await db.OutboxMessages
            .FromSql($"SELECT * FROM outbox_messages WHERE sent_at IS NULL ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
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
        return sent.Count;
    }

    private async Task<bool> TryPublishAsync(OutboxMessage message, CancellationToken ct)
    {
        // The publish joins the trace of the request or message that wrote it, however much later it runs.
        using var activity = ActivitySource.StartActivity($"outbox publish {message.MessageType}", ActivityKind.Internal, message.TraceParent);
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
            logger.LogWarning(ex, "Could not publish outbox message {MessageId} ({MessageType}); it stays queued", message.MessageId, message.MessageType);
            return false;
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
}

/// <summary>The queue this cell's saga replies arrive on (<see cref="BookingOptions.ReplyQueue"/>).</summary>
public sealed record ReplyQueue(string Name)
{
    public Uri Address { get; } = new($"queue:{Name}");
}
