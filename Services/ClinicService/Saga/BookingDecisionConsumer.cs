using ClinicBooking.Messages;
using MassTransit;

namespace ClinicBooking.ClinicService.Saga;

/// <summary>
/// CustomerService's answers, on this cell's reply queue. Idempotent by construction: the decision only
/// applies to a booking that is still pending, so a repeated or late answer changes nothing.
/// </summary>
public sealed class BookingDecisionConsumer(BookingSaga saga) : IConsumer<CustomerVerified>, IConsumer<CustomerRejected>
{
    public Task Consume(ConsumeContext<CustomerVerified> context) =>
        saga.DecideAsync(context.Message.BookingId, rejectionReason: null, context.CancellationToken);

    public Task Consume(ConsumeContext<CustomerRejected> context) =>
        saga.DecideAsync(context.Message.BookingId, context.Message.Reason, context.CancellationToken);
}
