namespace ClinicBooking.PaymentService.Data;

/// <summary>
/// A clinic's coupon: a percentage or an amount off an invoice, never more than it still owes. <see cref="TimesRedeemed"/>
/// is claimed by one conditional UPDATE (<c>times_redeemed &lt; max_redemptions</c>) and checked by the database
/// (never past <see cref="MaxRedemptions"/>), so however many redeem its last use at once, one gets it.
/// </summary>
public sealed class Coupon
{
    public const int CodeMaxLength = 32;
    public const int MaxPercentOff = 100;

    public long Id { get; init; }

    public long ClinicId { get; init; }

    /// <summary>What patients type, kept in capitals (codes are not case-sensitive); one per code at a clinic.</summary>
    public required string Code { get; init; }

    public int? PercentOff { get; init; }

    public decimal? AmountOff { get; init; }

    /// <summary>The currency of <see cref="AmountOff"/> (a percentage fits any).</summary>
    public string? Currency { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>How many invoices it may discount in all; none: no limit.</summary>
    public int? MaxRedemptions { get; init; }

    /// <summary>Kept by the redeeming statement, never written by code.</summary>
    public int TimesRedeemed { get; private set; }

    public bool Active { get; set; } = true;

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DeactivatedAt { get; set; }
}

/// <summary>A coupon used on an invoice: its discount is a payment by <c>coupon</c> allocated to it. One coupon per invoice.</summary>
public sealed class CouponRedemption
{
    public long CouponId { get; init; }

    public long InvoiceId { get; init; }

    public long PaymentId { get; init; }

    public decimal Amount { get; init; }

    public required string RedeemedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
