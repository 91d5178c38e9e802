using System.Security.Claims;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.PaymentService.Checkouts;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Invoices;
using ClinicBooking.PaymentService.Outbox;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Coupons;

/// <summary>
/// A clinic's coupons: its staff create, list and end them; a patient (or the desk, for them) uses one on an open
/// invoice of that clinic. The discount is a payment by <c>coupon</c> allocated to the invoice, so it is paid exactly
/// when money and discounts reach its total, and a booking paid when booked is confirmed by a coupon that covers it.
/// </summary>
public static class CouponsApi
{
    public const int MaxListed = 200;

    public static IEndpointRouteBuilder MapCouponsApi(this IEndpointRouteBuilder app)
    {
        var coupons = app.MapGroup("/coupons").WithTags("Payments")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        coupons.MapPost("/", CreateCoupon).WithSummary("Creates a coupon of your clinic: a percentage or an amount off, with an expiry and a redemption limit (its staff)")
            .ProducesProblem(StatusCodes.Status409Conflict).DeskStaff();
        coupons.MapGet("/", ListCoupons).WithSummary("Your clinic's coupons and how often each was used (its staff)").DeskStaff();
        coupons.MapDelete("/{id:long}", EndCoupon).WithSummary("Ends a coupon: it cannot be used any more (its clinic's staff)").DeskStaff();
        app.MapPost("/invoices/{id:long}/coupon", Redeem).WithTags("Payments")
            .WithSummary("Uses a coupon of the invoice's clinic on it (the customer it bills, or that clinic's staff)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Created<CouponResponse>> CreateCoupon(CouponRequest request, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var clinicId = request.ClinicId!.Value;
        Access.RequireClinic(user, clinicId, $"Clinic {clinicId} is not yours.");
        var code = Normalize(request.Code!);
        if (await db.Coupons.AnyAsync(c => c.ClinicId == clinicId && c.Code == code, ct))
        {
            throw ProblemException.Conflict($"Clinic {clinicId} has a coupon {code} already: choose another code.");
        }
        var coupon = new Coupon
        {
            ClinicId = clinicId,
            Code = code,
            PercentOff = request.PercentOff,
            AmountOff = request.AmountOff,
            Currency = request.AmountOff is null ? null : request.Currency,
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
            MaxRedemptions = request.MaxRedemptions,
            CreatedBy = caller.AuditName,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Coupons.Add(coupon);
        // Two desks creating one code at once: the unique index answers the second with 409.
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/coupons?clinicId={clinicId}", coupon.ToResponse());
    }

    public static async Task<Ok<List<CouponResponse>>> ListCoupons(long clinicId, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        Access.RequireClinic(user, clinicId, $"Clinic {clinicId} is not yours.");
        var coupons = await db.Coupons.AsNoTracking().Where(c => c.ClinicId == clinicId)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(MaxListed).ToListAsync(ct);
        return TypedResults.Ok(coupons.Select(c => c.ToResponse()).ToList());
    }

    public static async Task<NoContent> EndCoupon(long id, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var ended = await db.Coupons.Where(c => c.Id == id && caller.ClinicIds.Contains(c.ClinicId))
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.Active, false).SetProperty(x => x.DeactivatedAt, x => x.DeactivatedAt ?? DateTimeOffset.UtcNow), ct);
        return ended == 1 ? TypedResults.NoContent() : throw ProblemException.NotFound($"Coupon {id} does not exist, or is not your clinic's.");
    }

    /// <summary>
    /// Uses a coupon on an open invoice: a percentage of its total, or an amount in its currency, never more than it
    /// still owes. The coupon's use is claimed by one conditional UPDATE in the same transaction as the discount, so a
    /// coupon with one use left discounts one invoice however many try at once, and a refused discount gives the use back.
    /// </summary>
    public static async Task<Created<InvoiceResponse>> Redeem(long id, CouponRedemptionRequest request, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var invoice = (await InvoicesApi.FindAsync(db, id, user, ct)).Invoice;
        var code = Normalize(request.Code!);
        await db.InTransactionAsync(async () =>
        {
            var coupon = await db.Coupons.AsNoTracking().SingleOrDefaultAsync(c => c.ClinicId == invoice.ClinicId && c.Code == code && c.Active, ct)
                ?? throw ProblemException.Validation(new Dictionary<string, string[]> { ["code"] = [$"The clinic has no coupon {code}."] });
            // Read in the transaction, locked: a payment recorded meanwhile is waited for, not discounted past.
            var current = await db.Invoices.FromSql($"SELECT * FROM invoices WHERE id = {id} FOR NO KEY UPDATE").AsNoTracking().SingleAsync(ct);
            var owed = current.Total - current.Settled;
            if (current.Status != InvoiceStatuses.Open || owed <= 0)
            {
                throw ProblemException.Conflict($"Invoice {id} is {current.Status} and owes nothing.");
            }
            if (await db.CouponRedemptions.AnyAsync(r => r.InvoiceId == id, ct))
            {
                throw ProblemException.Conflict($"Invoice {id} has a coupon already: one coupon per invoice.");
            }
            if (coupon.AmountOff is not null && coupon.Currency != current.Currency)
            {
                throw ProblemException.Conflict($"Coupon {code} takes {coupon.Currency} off; invoice {id} is in {current.Currency}.");
            }
            var now = DateTimeOffset.UtcNow;
            if (await db.Checkouts.AnyAsync(c => c.Status == Checkout.Open && c.ExpiresAt > now && c.Invoices.Any(i => i.InvoiceId == id), ct))
            {
                throw ProblemException.Conflict($"A card payment of invoice {id} is open: pay it, or let it close, before using a coupon.");
            }
            var discount = Math.Min(owed, coupon.PercentOff is { } percent
                ? decimal.Round(current.Total * percent / 100m, Currencies.MinorDigits(current.Currency), MidpointRounding.AwayFromZero)
                : coupon.AmountOff!.Value);
            var claimed = await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE coupons SET times_redeemed = times_redeemed + 1
                 WHERE id = {coupon.Id} AND active AND (expires_at IS NULL OR expires_at > {now})
                   AND (max_redemptions IS NULL OR times_redeemed < max_redemptions)
                """, ct);
            if (claimed == 0)
            {
                throw ProblemException.Conflict(coupon.ExpiresAt <= now ? $"Coupon {code} expired on {coupon.ExpiresAt:u}." : $"Coupon {code} has been used up.");
            }
            var payment = new Payment
            {
                ClinicId = current.ClinicId, CustomerId = current.CustomerId, Currency = current.Currency, Amount = discount,
                Method = PaymentMethods.Coupon, RecordedBy = caller.AuditName, CreatedAt = now,
                Allocations = [new PaymentAllocation { InvoiceId = id, Amount = discount, CreatedAt = now }],
            };
            db.Payments.Add(payment);
            await db.SaveChangesAsync(ct);
            db.CouponRedemptions.Add(new CouponRedemption { CouponId = coupon.Id, InvoiceId = id, PaymentId = payment.Id, Amount = discount, RedeemedBy = caller.AuditName, CreatedAt = now });
            // A discount that covers what was owed pays the invoice; a booking waiting for that payment is confirmed.
            await PaidBookings.QueueAsync(db, [id], payment.Id, now, ct);
            await db.SaveChangesAsync(ct);
            return true;
        }, ct);
        db.ChangeTracker.Clear();
        return TypedResults.Created($"/invoices/{id}", (await InvoicesApi.FindAsync(db, id, user, ct)).ToResponse());
    }

    /// <summary>Codes are typed by people: not case-sensitive, kept in capitals.</summary>
    private static string Normalize(string code) => code.Trim().ToUpperInvariant();

    private static CouponResponse ToResponse(this Coupon c) =>
        new(c.Id, c.ClinicId, c.Code, c.PercentOff, c.AmountOff, c.Currency, c.ExpiresAt, c.MaxRedemptions, c.TimesRedeemed, c.Active, c.CreatedAt);
}

/// <summary>A coupon of a clinic: a percentage off (1 to 100) or an amount off in a currency; an expiry and a limit if wanted.</summary>
public sealed record CouponRequest(
    [property: SetBy(Roles.Staff)] long? ClinicId,
    [property: SetBy(Roles.Staff)] string? Code,
    [property: SetBy(Roles.Staff)] int? PercentOff,
    [property: SetBy(Roles.Staff)] decimal? AmountOff,
    [property: SetBy(Roles.Staff)] string? Currency,
    [property: SetBy(Roles.Staff)] DateTimeOffset? ExpiresAt,
    [property: SetBy(Roles.Staff)] int? MaxRedemptions);

public sealed class CouponRequestValidator : RequestValidator<CouponRequest>
{
    public const int MaxRedemptionsLimit = 1_000_000;

    public CouponRequestValidator()
    {
        RuleFor(r => r.ClinicId).NotNull().WithMessage("clinicId is required.");
        RuleFor(r => r.Code).NotEmpty().WithMessage("code is required.")
            .Matches("^\\s*[A-Za-z0-9][A-Za-z0-9-]{2,31}\\s*$").WithMessage($"code is 3 to {Coupon.CodeMaxLength} letters, digits or dashes.");
        RuleFor(r => r).Must(r => (r.PercentOff is null) != (r.AmountOff is null))
            .OverridePropertyName("percentOff").WithMessage("Give percentOff or amountOff (with its currency), one of them.");
        RuleFor(r => r.PercentOff).InclusiveBetween(1, Coupon.MaxPercentOff).When(r => r.PercentOff is not null)
            .WithMessage($"percentOff is 1 to {Coupon.MaxPercentOff}.");
        RuleFor(r => r.AmountOff).GreaterThan(0).LessThanOrEqualTo(Price.MaxAmount).When(r => r.AmountOff is not null)
            .WithMessage($"amountOff is more than 0 and at most {Price.MaxAmount}.");
        RuleFor(r => r.Currency).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("currency is required with amountOff.")
            .Must(Currencies.IsKnown).WithMessage("currency must be an ISO 4217 code, e.g. EUR.")
            .Must((r, currency) => Currencies.FitsMinorUnits(r.AmountOff!.Value, currency!)).WithMessage("amountOff has more decimals than its currency has.")
            .When(r => r.AmountOff is not null);
        RuleFor(r => r.Currency).Empty().When(r => r.PercentOff is not null).WithMessage("A percentage fits any currency: leave currency out.");
        RuleFor(r => r.ExpiresAt).Must(at => at > DateTimeOffset.UtcNow).When(r => r.ExpiresAt is not null).WithMessage("expiresAt must be in the future.");
        RuleFor(r => r.MaxRedemptions).InclusiveBetween(1, MaxRedemptionsLimit).When(r => r.MaxRedemptions is not null)
            .WithMessage($"maxRedemptions is 1 to {MaxRedemptionsLimit} (leave it out for no limit).");
    }
}

/// <summary>The code of a coupon of the invoice's clinic.</summary>
public sealed record CouponRedemptionRequest(
    [property: SetBy(Roles.Customer, Roles.Staff)] string? Code);

public sealed class CouponRedemptionRequestValidator : RequestValidator<CouponRedemptionRequest>
{
    public CouponRedemptionRequestValidator() =>
        RuleFor(r => r.Code).NotEmpty().WithMessage("code is required.")
            .MaximumLength(Coupon.CodeMaxLength + 8).WithMessage("No coupon has so long a code.");
}
