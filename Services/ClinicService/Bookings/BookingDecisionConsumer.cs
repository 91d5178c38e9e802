using ClinicBooking.Messages;
using MassTransit;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>
/// CustomerService's answers, on this cell's reply queue. Idempotent by construction: a decision only
/// applies to a booking that is still pending, so a repeated or late answer changes nothing.
/// </summary>
public sealed class BookingDecisionConsumer(BookingSaga saga) : IConsumer<CustomerVerdicts>
{
    public Task Consume(ConsumeContext<CustomerVerdicts> context) =>
        saga.DecideAsync(context.Message.Verdicts, context.CancellationToken);
}

/// <summary>
/// PaymentService's word that bookings awaiting payment were paid, published to every cell (each has its own queue):
/// the cell that owns a booking confirms it if it still awaits payment.
/// </summary>
public sealed class BookingPaidConsumer(BookingSaga saga) : IConsumer<BookingPaid>
{
    public Task Consume(ConsumeContext<BookingPaid> context) => saga.PayAsync([context.Message], context.CancellationToken);
}

/// <summary>
/// CustomerService's customer deactivations and reactivations, published to every cell (each has its own
/// queue): a deactivated customer's future bookings are cancelled, and none is confirmed for them after.
/// </summary>
public sealed class CustomerStatusConsumer(BookingSaga saga) : IConsumer<CustomerStatusChanged>
{
    public Task Consume(ConsumeContext<CustomerStatusChanged> context) =>
        saga.ApplyCustomerStatusAsync(context.Message, context.CancellationToken);
}
