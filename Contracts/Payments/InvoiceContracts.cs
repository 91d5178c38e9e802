namespace ClinicBooking.Contracts.Payments;

/// <summary>
/// What an invoice's statuses are called: <see cref="Open"/> while something is owed, <see cref="Paid"/> exactly when
/// its payments' allocations reach its total, <see cref="Void"/> when its booking was cancelled before anything was
/// paid. An extra line added to a paid invoice opens it again.
/// </summary>
public static class InvoiceStatuses
{
    public const string Open = "open";
    public const string Paid = "paid";
    public const string Void = "void";

    public static readonly string[] All = [Open, Paid, Void];
}

/// <summary>What a line is for: a booked appointment (one line per booking), or a charge the clinic's staff added.</summary>
public static class InvoiceLineKinds
{
    public const string Appointment = "appointment";
    public const string Extra = "extra";

    public static readonly string[] All = [Appointment, Extra];
}

/// <summary>How a payment was taken: at the clinic's desk (recorded by its staff), or by card through the payment provider.</summary>
public static class PaymentMethods
{
    public const string Desk = "desk";
    public const string Card = "card";

    public static readonly string[] All = [Desk, Card];
}

public sealed record InvoiceLineResponse(long Id, string Kind, long? BookingId, string Description, decimal Amount, DateTimeOffset CreatedAt);

/// <summary>A share of a payment that went to an invoice.</summary>
public sealed record AllocationResponse(long PaymentId, long InvoiceId, decimal Amount, string Method, DateTimeOffset At);

/// <summary>
/// An invoice of one clinic to one customer, in one currency: its lines add up to <see cref="Total"/>, the payments
/// allocated to it to <see cref="Paid"/>, and <see cref="Outstanding"/> is what is still owed.
/// </summary>
public sealed record InvoiceResponse(
    long Id, long ClinicId, long CustomerId, string Currency, decimal Total, decimal Paid, decimal Outstanding, string Status,
    IReadOnlyList<InvoiceLineResponse> Lines, IReadOnlyList<AllocationResponse> Payments, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt);

/// <summary>A payment and where its money went: one payment may settle several invoices, and an invoice take several payments.</summary>
public sealed record PaymentResponse(
    long Id, long ClinicId, long CustomerId, string Currency, decimal Amount, string Method, IReadOnlyList<AllocationResponse> Allocations, DateTimeOffset CreatedAt);

/// <summary>What a card payment pays of one invoice: what it owed when the payment was opened.</summary>
public sealed record CheckoutInvoiceResponse(long InvoiceId, decimal Amount);

/// <summary>
/// A card payment of some of a customer's invoices at one clinic: <see cref="Status"/> is <c>open</c> while its page
/// (<see cref="PaymentUrl"/>, at the provider) can be paid, <c>paid</c> once the provider captured the money
/// (<see cref="PaymentId"/>), <c>expired</c> when the page closed unpaid. <see cref="LastFailure"/> says why the last
/// card was refused.
/// </summary>
public sealed record CheckoutResponse(
    long Id, long ClinicId, long CustomerId, string Currency, decimal Amount, string Status, string? PaymentUrl, DateTimeOffset ExpiresAt,
    long? PaymentId, string? LastFailure, DateTimeOffset? PaidAt, IReadOnlyList<CheckoutInvoiceResponse> Invoices);
