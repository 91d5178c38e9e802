using ClinicBooking.Contracts.Payments;

namespace ClinicBooking.PaymentService.Data;

/// <summary>
/// What one clinic bills one customer, in one currency. <see cref="Total"/> is the sum of its lines and
/// <see cref="Settled"/> the sum of the payments allocated to it; the database keeps both (its triggers add each
/// line and allocation as it is written) and refuses an allocation that would take it past its total. Its status
/// follows: paid exactly when settled reaches the total.
/// </summary>
public sealed class Invoice
{
    public long Id { get; init; }

    public long ClinicId { get; init; }

    public long CustomerId { get; init; }

    public required string Currency { get; init; }

    public decimal Total { get; private set; }

    public decimal Settled { get; private set; }

    public string Status { get; set; } = InvoiceStatuses.Open;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? PaidAt { get; private set; }

    public DateTimeOffset? VoidedAt { get; set; }

    public List<InvoiceLine> Lines { get; init; } = [];

    public List<PaymentAllocation> Allocations { get; init; } = [];
}

/// <summary>One charge on an invoice; lines are only ever added (a correction is a credit, not an edit).</summary>
public sealed class InvoiceLine
{
    public const int DescriptionMaxLength = 200;

    public long Id { get; init; }

    public long InvoiceId { get; init; }

    public required string Kind { get; init; }

    /// <summary>The booking an appointment line bills (one such line per booking).</summary>
    public long? BookingId { get; init; }

    public required string Description { get; init; }

    public decimal Amount { get; init; }

    /// <summary>Who added it: the system for an appointment, the staff member for an extra charge.</summary>
    public required string AddedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Money taken from a customer for a clinic: at its desk, or by card. Its allocations never exceed it.</summary>
public sealed class Payment
{
    public const int IdempotencyKeyMaxLength = ServiceDefaults.IdempotencyKey.MaxLength;

    public long Id { get; init; }

    public long ClinicId { get; init; }

    public long CustomerId { get; init; }

    public required string Currency { get; init; }

    public decimal Amount { get; init; }

    public required string Method { get; init; }

    /// <summary>Who recorded it (a desk payment's staff member).</summary>
    public required string RecordedBy { get; init; }

    /// <summary>The client's Idempotency-Key: the same attempt sent again records nothing more.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>A card payment's id at the provider (its PaymentIntent): recorded once, however often the provider says so.</summary>
    public string? ProviderReference { get; init; }

    /// <summary>The checkout a card payment paid.</summary>
    public long? CheckoutId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public List<PaymentAllocation> Allocations { get; init; } = [];
}

/// <summary>The part of a payment that went to an invoice (invoices and payments are many to many).</summary>
public sealed class PaymentAllocation
{
    public long PaymentId { get; init; }

    public long InvoiceId { get; init; }

    public decimal Amount { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// This service's view of a booking, kept from the cells' messages at its newest revision: what decides whether it
/// is billed (confirmed with a price) or its unpaid invoice voided (cancelled).
/// </summary>
public sealed class BookedAppointment
{
    public long BookingId { get; init; }

    public long ClinicId { get; init; }

    public long CustomerId { get; init; }

    public int Revision { get; init; }

    public required string Status { get; init; }

    public DateTimeOffset StartsAt { get; init; }

    public decimal? PriceAmount { get; init; }

    public string? PriceCurrency { get; init; }

    /// <summary>While the booking awaits payment (its clinic takes payment at booking): the time it must be paid by.</summary>
    public DateTimeOffset? PaymentDueBy { get; init; }
}
