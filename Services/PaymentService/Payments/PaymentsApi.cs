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
        return app;
    }

    public static async Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>>> RecordDeskPayment(
        DeskPaymentRequest request, [AsParameters] IdempotencyKey key, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var wanted = request.Allocations!;
        var ids = wanted.Select(a => a.InvoiceId!.Value).ToList();
        var invoices = await db.Invoices.AsNoTracking().Where(i => ids.Contains(i.Id)).ToListAsync(ct);
        var mine = invoices.Where(i => caller.ClinicIds.Contains(i.ClinicId)).ToDictionary(i => i.Id);
        if (ids.FirstOrDefault(id => !mine.ContainsKey(id)) is var missing and not 0)
        {
            throw ProblemException.NotFound($"Invoice {missing} does not exist, or is not your clinic's.");
        }
        var first = mine[ids[0]];
        if (mine.Values.Any(i => i.ClinicId != first.ClinicId || i.CustomerId != first.CustomerId || i.Currency != first.Currency))
        {
            throw ProblemException.Conflict("One payment pays invoices of one clinic, one customer and one currency.");
        }
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
        // Left out, an allocation pays what the invoice still owes (as read now: the database re-checks it as written).
        var allocations = wanted.Select(a => (Invoice: mine[a.InvoiceId!.Value], Amount: a.Amount ?? mine[a.InvoiceId!.Value].Total - mine[a.InvoiceId!.Value].Settled)).ToList();
        if (allocations.FirstOrDefault(a => a.Amount <= 0 || a.Invoice.Status != InvoiceStatuses.Open) is { Invoice: { } settled })
        {
            throw ProblemException.Conflict($"Invoice {settled.Id} is {settled.Status} and owes nothing.");
        }
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
