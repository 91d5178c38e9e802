using System.Security.Claims;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.PaymentService.Data;
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

/// <summary>A clinic's payment policy: a paid appointment cancelled at least this many hours before it starts is credited in full.</summary>
public sealed record PaymentPolicyRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] int? CancellationNoticeHours);

public sealed class PaymentPolicyRequestValidator : RequestValidator<PaymentPolicyRequest>
{
    public PaymentPolicyRequestValidator() =>
        RuleFor(r => r.CancellationNoticeHours).NotNull().WithMessage("cancellationNoticeHours is required (0: any time before the appointment).")
            .InclusiveBetween(0, ClinicPaymentPolicy.MaxNoticeHours).WithMessage($"cancellationNoticeHours is 0 to {ClinicPaymentPolicy.MaxNoticeHours}.");
}
