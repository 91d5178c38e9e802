using System.Security.Claims;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Invoices;
using ClinicBooking.PaymentService.Payments;
using ClinicBooking.PaymentService.Providers;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Credit;

/// <summary>
/// A customer's credit (their own; for a clinic's staff, their patients' at that clinic), and the clinics' payment
/// policies: public to read (a patient sees it before booking), set by the clinic's staff or an administrator.
/// </summary>
public static class CreditApi
{
    public const int MaxEntries = 100;

    public static IEndpointRouteBuilder MapCreditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/credit", GetCredit).WithTags("Payments")
            .WithSummary("Your credit at each clinic (a customer), or a patient's at your clinic (its staff: clinicId and customerId)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapPost("/invoices/{id:long}/credit-notes", IssueCreditNote).WithTags("Payments")
            .WithSummary("Gives back money paid on an invoice as the customer's credit at the clinic (its staff)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).DeskStaff();
        app.MapPost("/credit/refunds", RefundCredit).WithTags("Payments")
            .WithSummary("Refunds a patient's credit at your clinic to the cards it was paid with, the exception to credit (its staff)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).DeskStaff();
        // Operators: refunds the provider has not taken yet, with their attempts and last error.
        app.MapGet("/operations/refunds", async Task<Ok<List<RefundOperationsView>>> (PaymentDbContext db, CancellationToken ct, string? status = null) =>
            TypedResults.Ok(await db.Refunds.AsNoTracking().Where(r => status == null || r.Status == status).OrderByDescending(r => r.Id).Take(200)
                .Select(r => new RefundOperationsView(r.Id, r.ClinicId, r.PaymentId, r.Currency, r.Amount, r.Status, r.Attempts, r.LastError, r.CreatedAt, r.CompletedAt))
                .ToListAsync(ct)))
            .WithTags("Operations").ExcludeFromDescription().AdministratorsAndServices();
        var policies = app.MapGroup("/payment-policies/{clinicId:long}").WithTags("Payments");
        policies.MapGet("/", GetPolicy).WithSummary("A clinic's payment policy: how long before an appointment a cancellation is still credited").Public();
        policies.MapPut("/", ReplacePolicy).WithSummary("Sets the clinic's payment policy (its staff, administrators)")
            .ClinicStaff("clinicId", scoped: false).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Ok<List<CreditBalanceResponse>>> GetCredit(ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct,
        long? clinicId = null, long? customerId = null)
    {
        var caller = Caller.From(user);
        long customer;
        if (caller.CustomerId is { } own)
        {
            customer = own;
        }
        else if (caller.IsStaff && !caller.IsAdministrator && clinicId is { } clinic && customerId is { } patient)
        {
            customer = caller.ClinicIds.Contains(clinic) ? patient : throw ProblemException.NotFound($"Clinic {clinic} has no credit of yours.");
        }
        else if (caller.IsStaff && !caller.IsAdministrator)
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["customerId"] = ["Name the clinic (clinicId) and the patient (customerId) whose credit to read."] });
        }
        else
        {
            throw new ProblemException(StatusCodes.Status403Forbidden, "Forbidden", "Credit is read by the customer it belongs to and the staff of the clinic that owes it.");
        }
        var balances = await db.CreditBalances.AsNoTracking()
            .Where(b => b.CustomerId == customer && (clinicId == null || b.ClinicId == clinicId)).ToListAsync(ct);
        var entries = await db.CreditEntries.AsNoTracking()
            .Where(e => e.CustomerId == customer && (clinicId == null || e.ClinicId == clinicId))
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Take(MaxEntries).ToListAsync(ct);
        return TypedResults.Ok(balances.OrderBy(b => b.ClinicId).ThenBy(b => b.Currency).Select(b => new CreditBalanceResponse(b.ClinicId, b.CustomerId, b.Currency, b.Balance,
            [.. entries.Where(e => e.ClinicId == b.ClinicId && e.Currency == b.Currency)
                .Select(e => new CreditEntryResponse(e.Id, e.ClinicId, e.Currency, e.Amount, e.Kind, e.CreditNoteId, e.PaymentId, e.CreatedAt))])).ToList());
    }

    /// <summary>A credit note of the clinic's staff on one of its invoices: at most what was paid on it in money, less earlier notes.</summary>
    public static async Task<Created<CreditNoteResponse>> IssueCreditNote(long id, CreditNoteRequest request, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var invoice = (await InvoicesApi.FindAsync(db, id, user, ct)).Invoice;
        if (!Currencies.FitsMinorUnits(request.Amount ?? 0, invoice.Currency))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["amount"] = [$"amount has more decimals than {invoice.Currency} has."] });
        }
        var note = await db.InTransactionAsync(async () =>
        {
            // Locked: two notes at once are weighed one after the other (the database checks the sum as well).
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM invoices WHERE id = {id} FOR NO KEY UPDATE", ct);
            var creditable = await CreditLedger.CreditableAsync(db, id, ct);
            var amount = request.Amount ?? creditable;
            if (creditable <= 0 || amount > creditable)
            {
                throw ProblemException.Conflict($"Invoice {id} has {Math.Max(creditable, 0):0.00} {invoice.Currency} paid that is not yet credited; {amount:0.00} cannot be given back.");
            }
            return await CreditLedger.IssueAsync(db, invoice, amount, request.Reason!.Trim(), caller.AuditName, ct);
        }, ct);
        return TypedResults.Created($"/credit?clinicId={note.ClinicId}&customerId={note.CustomerId}",
            new CreditNoteResponse(note.Id, note.InvoiceId, note.ClinicId, note.CustomerId, note.Currency, note.Amount, note.Reason, note.IssuedBy, note.CreatedAt));
    }

    /// <summary>
    /// Refunds a patient's credit at the clinic to the card payments it came from, newest first, never more than each
    /// took less its earlier refunds. The credit is spent and the refunds recorded in one transaction; the provider is
    /// called after it commits (and again later while it has not taken one), so a slow provider never holds the ledger.
    /// </summary>
    public static async Task<Created<CreditRefundResponse>> RefundCredit(CreditRefundRequest request, ClaimsPrincipal user, PaymentDbContext db,
        IPaymentProvider provider, ILogger<RefundSender> logger, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var (clinicId, customerId, currency, wanted) = (request.ClinicId!.Value, request.CustomerId!.Value, request.Currency!, request.Amount!.Value);
        Access.RequireClinic(user, clinicId, $"Clinic {clinicId} is not yours.");
        if (!Currencies.FitsMinorUnits(wanted, currency))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["amount"] = [$"amount has more decimals than {currency} has."] });
        }
        var refunds = await db.InTransactionAsync(async () =>
        {
            var balance = (await db.Database.SqlQuery<decimal>($"""
                SELECT balance AS "Value" FROM credit_balances
                 WHERE clinic_id = {clinicId} AND customer_id = {customerId} AND currency = {currency} FOR UPDATE
                """).ToListAsync(ct)).SingleOrDefault();
            if (wanted > balance)
            {
                throw ProblemException.Conflict($"The patient's credit at clinic {clinicId} is {balance:0.00} {currency}; {wanted:0.00} cannot be refunded.");
            }
            var cards = await db.Payments.Where(p => p.ClinicId == clinicId && p.CustomerId == customerId && p.Currency == currency && p.Method == PaymentMethods.Card)
                .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
                .Select(p => new { p.Id, Refundable = p.Amount - db.Refunds.Where(r => r.PaymentId == p.Id).Sum(r => (decimal?)r.Amount) ?? 0 })
                .ToListAsync(ct);
            if (cards.Sum(c => c.Refundable) < wanted)
            {
                throw ProblemException.Conflict($"Only {cards.Sum(c => c.Refundable):0.00} {currency} was paid by card at clinic {clinicId} and not refunded yet; the rest stays credit.");
            }
            var now = DateTimeOffset.UtcNow;
            var made = new List<Refund>();
            var left = wanted;
            foreach (var card in cards.Where(c => c.Refundable > 0))
            {
                var amount = Math.Min(left, card.Refundable);
                var refund = new Refund { ClinicId = clinicId, CustomerId = customerId, PaymentId = card.Id, Currency = currency, Amount = amount, RequestedBy = caller.AuditName, CreatedAt = now };
                db.Refunds.Add(refund);
                db.CreditEntries.Add(new CreditEntry
                {
                    ClinicId = clinicId, CustomerId = customerId, Currency = currency, Amount = -amount,
                    Kind = CreditKinds.Refunded, PaymentId = card.Id, RecordedBy = caller.AuditName, CreatedAt = now,
                });
                made.Add(refund);
                if ((left -= amount) == 0)
                {
                    break;
                }
            }
            await db.SaveChangesAsync(ct);
            return made.Select(r => r.Id).ToList();
        }, ct);
        // After the commit: the provider's answer (or its absence) never undoes the ledger; a refund not taken now is retried.
        foreach (var id in refunds)
        {
            await RefundSender.SendAsync(db, provider, id, logger, ct);
        }
        db.ChangeTracker.Clear();
        var sent = await db.Refunds.AsNoTracking().Where(r => refunds.Contains(r.Id)).OrderBy(r => r.Id).ToListAsync(ct);
        var after = await db.CreditBalances.Where(b => b.ClinicId == clinicId && b.CustomerId == customerId && b.Currency == currency).Select(b => b.Balance).SingleAsync(ct);
        return TypedResults.Created($"/credit?clinicId={clinicId}&customerId={customerId}", new CreditRefundResponse(clinicId, customerId, currency, wanted, after,
            [.. sent.Select(r => new RefundResponse(r.Id, r.PaymentId, r.Currency, r.Amount, r.Status, r.CreatedAt, r.CompletedAt))]));
    }

    public static async Task<Ok<PaymentPolicyResponse>> GetPolicy(long clinicId, PaymentDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new PaymentPolicyResponse(clinicId,
            await db.PaymentPolicies.Where(p => p.ClinicId == clinicId).Select(p => (int?)p.CancellationNoticeHours).SingleOrDefaultAsync(ct) ?? 0));

    public static async Task<Ok<PaymentPolicyResponse>> ReplacePolicy(long clinicId, PaymentPolicyRequest request, PaymentDbContext db, CancellationToken ct)
    {
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO clinic_payment_policies (clinic_id, cancellation_notice_hours, updated_at) VALUES ({clinicId}, {request.CancellationNoticeHours!.Value}, now())
            ON CONFLICT (clinic_id) DO UPDATE SET cancellation_notice_hours = EXCLUDED.cancellation_notice_hours, updated_at = now()
            """, ct);
        return TypedResults.Ok(new PaymentPolicyResponse(clinicId, request.CancellationNoticeHours.Value));
    }
}

/// <summary>A credit note staff issue on an invoice: how much (left out: all that was paid and not yet credited) and why.</summary>
public sealed record CreditNoteRequest(
    [property: SetBy(Roles.Staff)] decimal? Amount,
    [property: SetBy(Roles.Staff)] string? Reason);

public sealed class CreditNoteRequestValidator : RequestValidator<CreditNoteRequest>
{
    public CreditNoteRequestValidator()
    {
        RuleFor(r => r.Amount).GreaterThan(0).LessThanOrEqualTo(Price.MaxAmount * DeskPaymentRequestValidator.MaxInvoices).When(r => r.Amount is not null)
            .WithMessage("amount must be more than 0.");
        RuleFor(r => r.Reason).NotEmpty().WithMessage("reason is required: the patient reads it.")
            .TrimmedMaximumLength(CreditNote.ReasonMaxLength).PlainText();
    }
}

/// <summary>A patient's credit at a clinic to refund to their cards: whose, in which currency, how much.</summary>
public sealed record CreditRefundRequest(
    [property: SetBy(Roles.Staff)] long? ClinicId,
    [property: SetBy(Roles.Staff)] long? CustomerId,
    [property: SetBy(Roles.Staff)] string? Currency,
    [property: SetBy(Roles.Staff)] decimal? Amount);

public sealed class CreditRefundRequestValidator : RequestValidator<CreditRefundRequest>
{
    public CreditRefundRequestValidator()
    {
        RuleFor(r => r.ClinicId).NotNull().WithMessage("clinicId is required.");
        RuleFor(r => r.CustomerId).NotNull().WithMessage("customerId is required.");
        RuleFor(r => r.Currency).NotEmpty().WithMessage("currency is required.").Must(c => c is null || Currencies.IsKnown(c)).WithMessage("currency must be an ISO 4217 code, e.g. EUR.");
        RuleFor(r => r.Amount).NotNull().WithMessage("amount is required.").GreaterThan(0).WithMessage("amount must be more than 0.")
            .LessThanOrEqualTo(Price.MaxAmount * DeskPaymentRequestValidator.MaxInvoices).WithMessage("amount is too large.");
    }
}

/// <summary>A refund as operators see it: how often it was sent, and why the provider did not take it.</summary>
public sealed record RefundOperationsView(long Id, long ClinicId, long PaymentId, string Currency, decimal Amount, string Status, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>A clinic's payment policy: a paid appointment cancelled at least this many hours before it starts is credited in full.</summary>
public sealed record PaymentPolicyRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] int? CancellationNoticeHours);

public sealed class PaymentPolicyRequestValidator : RequestValidator<PaymentPolicyRequest>
{
    public PaymentPolicyRequestValidator() =>
        RuleFor(r => r.CancellationNoticeHours).NotNull().WithMessage("cancellationNoticeHours is required (0: any time before the appointment).")
            .InclusiveBetween(0, ClinicPaymentPolicy.MaxNoticeHours).WithMessage($"cancellationNoticeHours is 0 to {ClinicPaymentPolicy.MaxNoticeHours}.");
}
