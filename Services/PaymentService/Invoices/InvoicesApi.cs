using System.Security.Claims;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Payments;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Invoices;

/// <summary>
/// Invoices, each seen by its two parties only: the customer it bills, and the staff of the clinic that bills it.
/// Another customer, or the staff of another clinic, get 404 (as for an invoice that does not exist); administrators
/// and services 403 (payments are not theirs to read). Only the clinic's staff add a charge.
/// </summary>
public static class InvoicesApi
{
    public const int MaxListed = 200;

    public static IEndpointRouteBuilder MapInvoicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/invoices").WithTags("Payments")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/", ListInvoices).WithSummary("Your invoices (a customer), or a clinic's (its staff)");
        api.MapGet("/{id:long}", GetInvoice).WithSummary("An invoice: its lines, its payments and what is still owed");
        api.MapPost("/{id:long}/lines", AddLine).WithSummary("Adds a charge to an invoice (the clinic's staff), e.g. the doctor's additional treatment")
            .ProducesProblem(StatusCodes.Status409Conflict).DeskStaff();
        return app;
    }

    public static async Task<Ok<InvoiceResponse>> GetInvoice(long id, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await FindAsync(db, id, user, ct)).ToResponse());

    /// <summary>A customer's own invoices, or (for its staff) <paramref name="clinicId"/>'s; the newest first, at most <see cref="MaxListed"/>.</summary>
    public static async Task<Ok<List<InvoiceResponse>>> ListInvoices(
        ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct, long? clinicId = null, string? status = null)
    {
        var caller = MoneyParties.Require(user, PartiesRule);
        if (status is not null && !InvoiceStatuses.All.Contains(status))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["status"] = [$"status must be one of: {string.Join(", ", InvoiceStatuses.All)}."] });
        }
        IQueryable<Invoice> query;
        if (caller.CustomerId is { } customerId)
        {
            query = db.Invoices.Where(i => i.CustomerId == customerId && (clinicId == null || i.ClinicId == clinicId));
        }
        else
        {
            if (clinicId is null)
            {
                throw ProblemException.Validation(new Dictionary<string, string[]> { ["clinicId"] = ["Name the clinic whose invoices to list."] });
            }
            if (!caller.ClinicIds.Contains(clinicId.Value))
            {
                throw ProblemException.NotFound($"Clinic {clinicId} has no invoices of yours.");
            }
            query = db.Invoices.Where(i => i.ClinicId == clinicId);
        }
        var invoices = await query.Where(i => status == null || i.Status == status)
            .Include(i => i.Lines).Include(i => i.Allocations)
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(MaxListed)
            .AsNoTracking().AsSplitQuery().ToListAsync(ct);
        var methods = await MethodsAsync(db, invoices.SelectMany(i => i.Allocations), ct);
        return TypedResults.Ok(invoices.Select(i => i.ToResponse(methods)).ToList());
    }

    /// <summary>
    /// A charge the clinic adds to an invoice (the doctor's additional treatment): the invoice grows, and a paid one
    /// is open again for the difference. Refused on a void invoice.
    /// </summary>
    public static async Task<Created<InvoiceResponse>> AddLine(
        long id, InvoiceLineRequest request, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var invoice = (await FindAsync(db, id, user, ct)).Invoice;
        if (!Currencies.FitsMinorUnits(request.Amount!.Value, invoice.Currency))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["amount"] = [$"amount has more decimals than {invoice.Currency} has."] });
        }
        if (invoice.Status == InvoiceStatuses.Void)
        {
            throw ProblemException.Conflict($"Invoice {id} is void: nothing can be added to it.");
        }
        db.InvoiceLines.Add(new InvoiceLine
        {
            InvoiceId = id,
            Kind = InvoiceLineKinds.Extra,
            Description = request.Description!.Trim(),
            Amount = request.Amount.Value,
            AddedBy = caller.AuditName,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return TypedResults.Created($"/invoices/{id}", (await FindAsync(db, id, user, ct)).ToResponse());
    }

    /// <summary>The invoice if the caller is one of its parties; otherwise 404 (or 403 for those who are never one).</summary>
    internal static async Task<InvoiceView> FindAsync(PaymentDbContext db, long id, ClaimsPrincipal user, CancellationToken ct)
    {
        var caller = MoneyParties.Require(user, PartiesRule);
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).Include(i => i.Allocations).AsSplitQuery()
            .SingleOrDefaultAsync(i => i.Id == id, ct);
        if (invoice is null || !caller.IsPartyTo(invoice.ClinicId, invoice.CustomerId))
        {
            throw ProblemException.NotFound($"Invoice {id} does not exist, or is not yours.");
        }
        return new InvoiceView(invoice, await MethodsAsync(db, invoice.Allocations, ct));
    }

    internal static async Task<Dictionary<long, (string Method, DateTimeOffset At)>> MethodsAsync(
        PaymentDbContext db, IEnumerable<PaymentAllocation> allocations, CancellationToken ct)
    {
        var ids = allocations.Select(a => a.PaymentId).Distinct().ToList();
        return await db.Payments.AsNoTracking().Where(p => ids.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => (p.Method, p.CreatedAt), ct);
    }

    private const string PartiesRule = "Invoices are read by the customer they bill and the staff of the clinic that bills them.";
}

/// <summary>An invoice with the method and time of each payment allocated to it.</summary>
internal sealed record InvoiceView(Invoice Invoice, Dictionary<long, (string Method, DateTimeOffset At)> Methods)
{
    public InvoiceResponse ToResponse() => Invoice.ToResponse(Methods);
}

/// <summary>A charge staff add to an invoice: what it is for, and its amount in the invoice's currency.</summary>
public sealed record InvoiceLineRequest(
    [property: SetBy(Roles.Staff)] string? Description,
    [property: SetBy(Roles.Staff)] decimal? Amount);

public sealed class InvoiceLineRequestValidator : RequestValidator<InvoiceLineRequest>
{
    public InvoiceLineRequestValidator()
    {
        RuleFor(r => r.Description).NotEmpty().WithMessage("description is required.")
            .TrimmedMaximumLength(InvoiceLine.DescriptionMaxLength).PlainText();
        RuleFor(r => r.Amount).NotNull().WithMessage("amount is required.")
            .GreaterThan(0).WithMessage("amount must be more than 0.")
            .LessThanOrEqualTo(Price.MaxAmount).WithMessage($"amount must be at most {Price.MaxAmount}.");
    }
}

public static class InvoiceResponses
{
    internal static InvoiceResponse ToResponse(this Invoice i, IReadOnlyDictionary<long, (string Method, DateTimeOffset At)> methods) =>
        new(i.Id, i.ClinicId, i.CustomerId, i.Currency, i.Total, i.Settled, i.Status == InvoiceStatuses.Void ? 0 : i.Total - i.Settled, i.Status,
            i.Lines.OrderBy(l => l.Id).Select(l => new InvoiceLineResponse(l.Id, l.Kind, l.BookingId, l.Description, l.Amount, l.CreatedAt)).ToList(),
            i.Allocations.OrderBy(a => a.CreatedAt).ThenBy(a => a.PaymentId)
                .Select(a => new AllocationResponse(a.PaymentId, a.InvoiceId, a.Amount, methods.GetValueOrDefault(a.PaymentId).Method ?? "", a.CreatedAt)).ToList(),
            i.CreatedAt, i.PaidAt);
}
