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

/// <summary>How a payment was taken: at the clinic's desk (recorded by its staff), by card through the payment provider, from the customer's credit, or let go by a coupon.</summary>
public static class PaymentMethods
{
    public const string Desk = "desk";
    public const string Card = "card";

    /// <summary>Paid from the customer's credit at the clinic (a credit note of an earlier cancellation).</summary>
    public const string Credit = "credit";

    /// <summary>A coupon's discount: no money changed hands, the clinic let the amount go.</summary>
    public const string Coupon = "coupon";

    public static readonly string[] All = [Desk, Card, Credit, Coupon];

    /// <summary>The methods by which money was actually paid (what a cancellation can give back as credit).</summary>
    public static readonly string[] Money = [Desk, Card, Credit];
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

/// <summary>What a movement of credit is: a credit note, money no invoice could take, credit applied to an invoice, credit refunded.</summary>
public static class CreditKinds
{
    public const string CreditNote = "credit-note";
    public const string Unallocated = "unallocated";
    public const string Applied = "applied";
    public const string Refunded = "refunded";

    public static readonly string[] All = [CreditNote, Unallocated, Applied, Refunded];
}

public sealed record CreditEntryResponse(long Id, long ClinicId, string Currency, decimal Amount, string Kind, long? CreditNoteId, long? PaymentId, DateTimeOffset At);

/// <summary>A customer's credit at one clinic in one currency: the balance, and how it came about (newest first).</summary>
public sealed record CreditBalanceResponse(long ClinicId, long CustomerId, string Currency, decimal Balance, IReadOnlyList<CreditEntryResponse> Entries);

/// <summary>A clinic's payment policy: a paid appointment cancelled at least this many hours before it starts is credited.</summary>
public sealed record PaymentPolicyResponse(long ClinicId, int CancellationNoticeHours);

/// <summary>
/// A clinic's coupon: <see cref="PercentOff"/> of an invoice, or <see cref="AmountOff"/> in <see cref="Currency"/>, never
/// more than the invoice still owes; redeemable until <see cref="ExpiresAt"/> and at most <see cref="MaxRedemptions"/>
/// times (none: no limit), one coupon per invoice.
/// </summary>
public sealed record CouponResponse(
    long Id, long ClinicId, string Code, int? PercentOff, decimal? AmountOff, string? Currency, DateTimeOffset? ExpiresAt,
    int? MaxRedemptions, int TimesRedeemed, bool Active, DateTimeOffset CreatedAt);

/// <summary>A credit note: what a clinic gave back on an invoice as credit, why, and who issued it (<c>system</c>: a cancellation under its policy).</summary>
public sealed record CreditNoteResponse(long Id, long InvoiceId, long ClinicId, long CustomerId, string Currency, decimal Amount, string Reason, string IssuedBy, DateTimeOffset CreatedAt);

/// <summary>Money going back to a card payment: <c>pending</c> until the provider took it, then <c>succeeded</c>.</summary>
public sealed record RefundResponse(long Id, long PaymentId, string Currency, decimal Amount, string Status, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>Credit refunded to the cards it came from: the refunds made, and the credit left.</summary>
public sealed record CreditRefundResponse(long ClinicId, long CustomerId, string Currency, decimal Amount, decimal Balance, IReadOnlyList<RefundResponse> Refunds);

/// <summary>
/// A clinic's money in one currency, for administrators (sums only, no patient): what it billed (void invoices left
/// out) and what is still owed; what was paid by card, at the desk and from credit; what coupons let go; the credit its
/// patients hold; what went back to cards.
/// </summary>
public sealed record ClinicPaymentTotals(
    long ClinicId, string Currency, int Invoices, decimal Invoiced, decimal Outstanding, decimal PaidByCard, decimal PaidAtDesk, decimal PaidFromCredit,
    decimal Discounts, decimal CreditHeld, decimal Refunded);
