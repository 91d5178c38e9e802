using System.Security.Claims;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Invoices;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Payments;

/// <summary>
/// Payments taken at the clinic's desk, recorded by its staff: one payment may settle several of a customer's
/// invoices (three bookings paid together), and an invoice may take several payments (paid in parts). The database
/// refuses an allocation past an invoice's outstanding amount, so two desks recording at once cannot overpay it.
/// </summary>
public static class PaymentsApi
{
    public static IEndpointRouteBuilder MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/payments").WithTags("Payments")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/desk", RecordDeskPayment)
            .WithSummary("Records money taken at the clinic's desk and what it pays (the clinic's staff); an Idempotency-Key makes a retry record it once")
            .ProducesProblem(StatusCodes.Status409Conflict).DeskStaff();
        api.MapGet("/{id:long}", GetPayment).WithSummary("A payment and the invoices it paid");
        api.MapGet("/totals", GetTotals).WithSummary("Each clinic's money, summed per currency: billed, owed, paid by method, discounts, credit held, refunded (administrators)")
            .Administrators();
        return app;
    }

    public static async Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>>> RecordDeskPayment(
        DeskPaymentRequest request, [AsParameters] IdempotencyKey key, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var wanted = request.Allocations!;
        var ids = wanted.Select(a => a.InvoiceId!.Value).ToList();
        var clinics = caller.ClinicIds.ToList();
        var firstId = ids[0];
        var first = await db.Invoices.AsNoTracking().Where(i => i.Id == firstId && clinics.Contains(i.ClinicId)).SingleOrDefaultAsync(ct)
            ?? throw ProblemException.NotFound($"Invoice {firstId} does not exist, or is not your clinic's.");
        if (key.Value is not null
            && await db.Payments.AsNoTracking().Include(p => p.Allocations).SingleOrDefaultAsync(p => p.ClinicId == first.ClinicId && p.IdempotencyKey == key.Value, ct) is { } earlier)
        {
            // The same attempt again gets what the first made; the key on another payment is a client's mistake.
            if (!earlier.Allocations.Select(a => a.InvoiceId).Order().SequenceEqual(ids.Order()))
            {
                throw ProblemException.Conflict($"The {IdempotencyKey.Header} was used for payment {earlier.Id}, of other invoices: use a new key for a new payment.");
            }
            return TypedResults.Ok(earlier.ToResponse());
        }
        var mine = await PayableInvoices.LoadAsync(db.Invoices.Where(i => clinics.Contains(i.ClinicId)), ids, "your clinic's", ct);
        // Left out, an allocation pays what the invoice still owes (as read now: the database re-checks it as written).
        var allocations = wanted.Select(a => (Invoice: mine[a.InvoiceId!.Value], Amount: a.Amount ?? mine[a.InvoiceId!.Value].Total - mine[a.InvoiceId!.Value].Settled)).ToList();
        if (allocations.FirstOrDefault(a => !Currencies.FitsMinorUnits(a.Amount, first.Currency)) is { Invoice: { } odd })
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["allocations"] = [$"The amount for invoice {odd.Id} has more decimals than {first.Currency} has."] });
        }
        var now = DateTimeOffset.UtcNow;
        var payment = new Payment
        {
            ClinicId = first.ClinicId,
            CustomerId = first.CustomerId,
            Currency = first.Currency,
            Amount = allocations.Sum(a => a.Amount),
            Method = PaymentMethods.Desk,
            RecordedBy = caller.AuditName,
            IdempotencyKey = key.Value,
            CreatedAt = now,
            Allocations = [.. allocations.Select(a => new PaymentAllocation { InvoiceId = a.Invoice.Id, Amount = a.Amount, CreatedAt = now })],
        };
        db.Payments.Add(payment);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/payments/{payment.Id}", payment.ToResponse());
    }

    public static async Task<Ok<PaymentResponse>> GetPayment(long id, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = MoneyParties.Require(user, "Payments are read by the customer who paid and the staff of the clinic paid.");
        var payment = await db.Payments.AsNoTracking().Include(p => p.Allocations).SingleOrDefaultAsync(p => p.Id == id, ct);
        if (payment is null || !caller.IsPartyTo(payment.ClinicId, payment.CustomerId))
        {
            throw ProblemException.NotFound($"Payment {id} does not exist, or is not yours.");
        }
        return TypedResults.Ok(payment.ToResponse());
    }

    /// <summary>Sums per clinic and currency, computed by the database; no invoice or patient is shown.</summary>
    public static async Task<Ok<List<ClinicPaymentTotals>>> GetTotals(PaymentDbContext db, CancellationToken ct, long? clinicId = null)
    {
        var invoices = await db.Invoices.Where(i => i.Status != InvoiceStatuses.Void && (clinicId == null || i.ClinicId == clinicId))
            .GroupBy(i => new { i.ClinicId, i.Currency })
            .Select(g => new { g.Key.ClinicId, g.Key.Currency, Count = g.Count(), Total = g.Sum(i => i.Total), Owed = g.Sum(i => i.Total - i.Settled) })
            .ToListAsync(ct);
        var payments = await db.Payments.Where(p => clinicId == null || p.ClinicId == clinicId)
            .GroupBy(p => new { p.ClinicId, p.Currency, p.Method })
            .Select(g => new { g.Key.ClinicId, g.Key.Currency, g.Key.Method, Amount = g.Sum(p => p.Amount) })
            .ToListAsync(ct);
        var credit = await db.CreditBalances.Where(b => clinicId == null || b.ClinicId == clinicId)
            .GroupBy(b => new { b.ClinicId, b.Currency })
            .Select(g => new { g.Key.ClinicId, g.Key.Currency, Amount = g.Sum(b => b.Balance) })
            .ToListAsync(ct);
        var refunds = await db.Refunds.Where(r => r.Status == Refund.Succeeded && (clinicId == null || r.ClinicId == clinicId))
            .GroupBy(r => new { r.ClinicId, r.Currency })
            .Select(g => new { g.Key.ClinicId, g.Key.Currency, Amount = g.Sum(r => r.Amount) })
            .ToListAsync(ct);
        var keys = invoices.Select(i => (i.ClinicId, i.Currency)).Union(payments.Select(p => (p.ClinicId, p.Currency)))
            .Union(credit.Select(c => (c.ClinicId, c.Currency))).Distinct().OrderBy(k => k.ClinicId).ThenBy(k => k.Currency);
        decimal Paid(long clinic, string currency, string method) =>
            payments.Where(p => p.ClinicId == clinic && p.Currency == currency && p.Method == method).Sum(p => p.Amount);
        return TypedResults.Ok(keys.Select(k =>
        {
            var billed = invoices.SingleOrDefault(i => i.ClinicId == k.ClinicId && i.Currency == k.Currency);
            return new ClinicPaymentTotals(k.ClinicId, k.Currency, billed?.Count ?? 0, billed?.Total ?? 0, billed?.Owed ?? 0,
                Paid(k.ClinicId, k.Currency, PaymentMethods.Card), Paid(k.ClinicId, k.Currency, PaymentMethods.Desk), Paid(k.ClinicId, k.Currency, PaymentMethods.Credit),
                Paid(k.ClinicId, k.Currency, PaymentMethods.Coupon),
                credit.SingleOrDefault(c => c.ClinicId == k.ClinicId && c.Currency == k.Currency)?.Amount ?? 0,
                refunds.SingleOrDefault(r => r.ClinicId == k.ClinicId && r.Currency == k.Currency)?.Amount ?? 0);
        }).ToList());
    }

    private static PaymentResponse ToResponse(this Payment p) =>
        new(p.Id, p.ClinicId, p.CustomerId, p.Currency, p.Amount, p.Method,
            p.Allocations.OrderBy(a => a.InvoiceId).Select(a => new AllocationResponse(p.Id, a.InvoiceId, a.Amount, p.Method, a.CreatedAt)).ToList(),
            p.CreatedAt);
}

/// <summary>A desk payment: which invoices it pays, and how much of each (left out: what the invoice still owes).</summary>
public sealed record DeskPaymentRequest(
    [property: SetBy(Roles.Staff)] IReadOnlyList<DeskAllocation>? Allocations);

public sealed record DeskAllocation(long? InvoiceId, decimal? Amount);

public sealed class DeskPaymentRequestValidator : RequestValidator<DeskPaymentRequest>
{
    public const int MaxInvoices = 50;

    public DeskPaymentRequestValidator()
    {
        // Stop at the first failure: the rules after NotEmpty read the list.
        RuleFor(r => r.Allocations).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("allocations is required: the invoices this payment pays.")
            .Must(a => a!.Count <= MaxInvoices).WithMessage($"A payment pays at most {MaxInvoices} invoices.")
            .Must(a => a!.Select(x => x.InvoiceId).Distinct().Count() == a!.Count).WithMessage("Each invoice is named once.");
        RuleForEach(r => r.Allocations).ChildRules(a =>
        {
            a.RuleFor(x => x.InvoiceId).NotNull().WithMessage("invoiceId is required.");
            a.RuleFor(x => x.Amount).GreaterThan(0).When(x => x.Amount is not null).WithMessage("amount must be more than 0.")
                .LessThanOrEqualTo(Price.MaxAmount * DeskPaymentRequestValidator.MaxInvoices).When(x => x.Amount is not null);
        });
    }
}
