using System.Threading.Channels;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.Messages;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>
/// Sends the messages a state change wrote, right after its commit (<see cref="Send(OutboxItem{VerifyCustomer})"/>),
/// so a booking never waits for a timer, and stamps them sent once the broker confirmed them. They go out in
/// batches, one RabbitMQ message per kind: whatever was handed over while the previous batch waited for the
/// broker goes in the next one, so one booking at a time is sent at once, and a busy cell pays the broker and
/// the consumers once per batch, not once per booking. A batch the broker did not take stays unstamped for
/// the <see cref="OutboxRedriver"/>.
/// </summary>
public sealed class OutboxSender(
    OutboxPublisher publisher, ShardDatabases shards, IOptions<OutboxOptions> options, TimeProvider clock,
    ILogger<OutboxSender> logger) : BackgroundService
{
    private const int MaxBatch = 1_000;
    private static readonly TimeSpan StampInterval = TimeSpan.FromMilliseconds(50);

    // One queue per kind: questions are on the booking's critical path, status events are not.
    private readonly Channel<OutboxItem<VerifyCustomer>> _questions = Committed<VerifyCustomer>();
    private readonly Channel<OutboxItem<BookingStatusChanged>> _events = Committed<BookingStatusChanged>();
    private readonly Channel<(int Shard, long RowId)> _confirmed = Channel.CreateUnbounded<(int, long)>();

    /// <summary>Queues a committed question for the next batch, without waiting for it.</summary>
    public void Send(OutboxItem<VerifyCustomer> question) => _questions.Writer.TryWrite(question);

    /// <summary>Queues a committed status event for the next batch, without waiting for it.</summary>
    public void Send(OutboxItem<BookingStatusChanged> statusChange) => _events.Writer.TryWrite(statusChange);

    private static Channel<OutboxItem<T>> Committed<T>() =>
        Channel.CreateUnbounded<OutboxItem<T>>(new UnboundedChannelOptions { SingleReader = true });

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        SendBatchesAsync(_questions, options.Value.QuestionBatchWindow, publisher.PublishAsync, stoppingToken),
        SendBatchesAsync(_events, options.Value.EventBatchWindow, publisher.PublishAsync, stoppingToken),
        StampConfirmedAsync(stoppingToken));

    /// <summary>
    /// Sends the committed messages of one kind: all that are waiting, as one batch, at most one batch per
    /// <paramref name="window"/>. A message that finds the last batch gone longer ago than that goes at once,
    /// so a lone booking never waits; under load, what arrives within the window rides along.
    /// </summary>
    private async Task SendBatchesAsync<T>(Channel<OutboxItem<T>> committed, TimeSpan window,
        Func<IReadOnlyList<OutboxItem<T>>, CancellationToken, Task<bool>> publish, CancellationToken stoppingToken)
    {
        var batch = new List<OutboxItem<T>>();
        var lastSent = 0L;
        while (await committed.Reader.WaitToReadAsync(stoppingToken))
        {
            if (window - clock.GetElapsedTime(lastSent) is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
            lastSent = clock.GetTimestamp();
            while (batch.Count < MaxBatch && committed.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            if (await publish(batch, stoppingToken))
            {
                foreach (var item in batch)
                {
                    _confirmed.Writer.TryWrite((item.Shard, item.RowId));
                }
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
        var batch = new List<(int Shard, long RowId)>();
        while (await _confirmed.Reader.WaitToReadAsync(stoppingToken))
        {
            await Task.Delay(StampInterval, clock, stoppingToken);
            while (batch.Count < MaxBatch && _confirmed.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            foreach (var shard in batch.GroupBy(m => m.Shard))
            {
                var ids = shard.Select(m => m.RowId).ToArray();
                try
                {
                    await StampAsync(shard.Key, ids, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Left unstamped, they are sent once more by the re-driver; the consumers shrug that off.
                    logger.LogWarning(ex, "Could not stamp {Count} outbox messages of shard {Shard} sent", ids.Length, shard.Key);
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
                new NpgsqlBatchCommand("UPDATE outbox_messages SET sent_at = now() WHERE id = ANY($1)")
                {
                    Parameters = { new() { Value = ids } },
                },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
