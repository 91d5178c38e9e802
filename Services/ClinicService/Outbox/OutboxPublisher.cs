using ClinicBooking.Messages;
using ClinicBooking.Messaging.Outbox;
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

/// <summary>
/// Publishes outbox items as one batch message per kind (<see cref="VerifyCustomers"/>, with this cell's reply
/// queue as the response address; <see cref="BookingStatusChanges"/>). MassTransit traces each batch on its
/// own; every item carries its own trace to the consumer, whose span for the item links back to the batch
/// (<see cref="BatchTracing"/>).
/// </summary>
public sealed class OutboxPublisher(IBus bus, ReplyQueue replyQueue, ILogger<OutboxPublisher> logger)
{
    /// <summary>Publishes the questions as one batch; whether the broker confirmed it.</summary>
    public Task<bool> PublishAsync(IReadOnlyList<OutboxItem<VerifyCustomer>> questions, CancellationToken ct) =>
        OutboxPublishing.TryAsync(questions.Count, nameof(VerifyCustomers), token => bus.Publish(
            new VerifyCustomers([.. questions.Select(q => q.Message)]), context => context.ResponseAddress = replyQueue.Address, token), logger, ct);

    /// <summary>Publishes the status events as one batch; whether the broker confirmed it.</summary>
    public Task<bool> PublishAsync(IReadOnlyList<OutboxItem<BookingStatusChanged>> events, CancellationToken ct) =>
        OutboxPublishing.TryAsync(events.Count, nameof(BookingStatusChanges), token => bus.Publish(
            new BookingStatusChanges([.. events.Select(e => e.Message)]), token), logger, ct);
}
