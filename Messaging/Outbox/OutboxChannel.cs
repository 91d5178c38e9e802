using System.Threading.Channels;
using ClinicBooking.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClinicBooking.Messaging.Outbox;

/// <summary>A committed outbox row's message, ready to go: the database and row it came from, and the message with its trace.</summary>
public sealed record OutboxItem<T>(int Database, long RowId, Traced<T> Message);

/// <summary>
/// Sends the committed messages of one type right after their commit (<see cref="Send"/>), so nothing waits for
/// a timer, and has them stamped sent once the broker confirmed them. They go out in batches: whatever was handed
/// over while the previous batch waited for the broker goes in the next one, at most one batch per window
/// (<see cref="OutboxOptions.BatchWindows"/>), so a lone message goes at once and a busy service pays the broker
/// once per batch. A batch the broker did not take stays unstamped for the <see cref="OutboxRedriver{TMessage}"/>.
/// </summary>
public sealed class OutboxChannel<T>(
    Func<IReadOnlyList<OutboxItem<T>>, CancellationToken, Task<bool>> publish, TimeSpan window,
    IOutboxStamps stamps, TimeProvider clock) : BackgroundService
{
    private const int MaxBatch = 1_000;
    private readonly Channel<OutboxItem<T>> _committed = Channel.CreateUnbounded<OutboxItem<T>>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a committed message for the next batch, without waiting for it.</summary>
    public void Send(OutboxItem<T> item) => _committed.Writer.TryWrite(item);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<OutboxItem<T>>();
        var lastSent = 0L;
        while (await _committed.Reader.WaitToReadAsync(stoppingToken))
        {
            if (window - clock.GetElapsedTime(lastSent) is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait, clock, stoppingToken);
            }
            lastSent = clock.GetTimestamp();
            while (batch.Count < MaxBatch && _committed.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            if (await publish(batch, stoppingToken))
            {
                foreach (var item in batch)
                {
                    stamps.Confirmed(item.Database, item.RowId);
                }
            }
            batch.Clear();
        }
    }
}

/// <summary>Publishing with the outbox's manners: bounded in time, and a failure logged and answered false, never thrown.</summary>
public static class OutboxPublishing
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="publish"/> for <paramref name="count"/> messages of <paramref name="kind"/>; whether the broker confirmed them.</summary>
    public static async Task<bool> TryAsync(int count, string kind, Func<CancellationToken, Task> publish, ILogger logger, CancellationToken ct)
    {
        if (count == 0)
        {
            return true;
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(PublishTimeout);
            await publish(timeout.Token);
            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not publish {Count} outbox messages ({Kind}); the re-driver will", count, kind);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false; // shutting down: the re-driver of the next run sends them
        }
    }
}
