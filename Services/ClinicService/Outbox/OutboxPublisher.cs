using ClinicBooking.Messages;
using MassTransit;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>The queue this cell's saga replies arrive on (<c>Booking:ReplyQueue</c>, by default named after the cell).</summary>
public sealed record ReplyQueue(string Name)
{
    /// <summary>
    /// Replies go to the exchange MassTransit binds to the queue, not to the queue itself: a sender that
    /// names a queue declares it, and its default (classic) declaration would clash with the quorum queue.
    /// </summary>
    public Uri Address { get; } = new($"exchange:{Name}");
}

/// <summary>A message of the outbox ready to go: the shard and row it came from, and the message with its trace.</summary>
public sealed record OutboxItem<T>(int Shard, long RowId, Traced<T> Message);

/// <summary>
/// Publishes outbox items as one batch message per kind (<see cref="VerifyCustomers"/>, with this cell's reply
/// queue as the response address; <see cref="BookingStatusChanges"/>). MassTransit traces each batch on its
/// own; every item carries its own trace to the consumer, whose span for the item links back to the batch
/// (<see cref="BatchTracing"/>).
/// </summary>
public sealed class OutboxPublisher(IBus bus, ReplyQueue replyQueue, ILogger<OutboxPublisher> logger)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Publishes the questions as one batch; whether the broker confirmed it.</summary>
    public Task<bool> PublishAsync(IReadOnlyList<OutboxItem<VerifyCustomer>> questions, CancellationToken ct) =>
        TryAsync(questions.Count, nameof(VerifyCustomers), token => bus.Publish(
            new VerifyCustomers([.. questions.Select(q => q.Message)]), context => context.ResponseAddress = replyQueue.Address, token), ct);

    /// <summary>Publishes the status events as one batch; whether the broker confirmed it.</summary>
    public Task<bool> PublishAsync(IReadOnlyList<OutboxItem<BookingStatusChanged>> events, CancellationToken ct) =>
        TryAsync(events.Count, nameof(BookingStatusChanges), token => bus.Publish(
            new BookingStatusChanges([.. events.Select(e => e.Message)]), token), ct);

    private async Task<bool> TryAsync(int count, string kind, Func<CancellationToken, Task> publish, CancellationToken ct)
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
