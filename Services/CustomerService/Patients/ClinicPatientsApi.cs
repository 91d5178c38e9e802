using ClinicBooking.Contracts.Access;
using ClinicBooking.CustomerService.Data;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Patients;

/// <summary>
/// A clinic's patients: who is coming, for the clinic's staff (a day's schedule names each booked patient and
/// how to reach them). A customer is the clinic's patient (<see cref="ClinicPatient"/>) once they booked there
/// themselves, or once its staff looked them up by email and phone together (at the desk, the person tells
/// them both); an id alone never is. Anyone else's record stays out of reach: ids asked for that are not the
/// clinic's patients are left out, and a lookup that matches no one says the same whether the email exists.
/// </summary>
public static class ClinicPatientsApi
{
    public const int MaxIds = 100;

    public static IEndpointRouteBuilder MapClinicPatientsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/clinics/{clinicId:long}/patients", ListPatients).WithTags("Customers").WithName("ListClinicPatients")
            .WithSummary("Contact details of the named customers who have booked at the clinic")
            .ClinicStaff("clinicId", scoped: false);
        app.MapPost("/clinics/{clinicId:long}/patients/lookup", LookUpPatient).WithTags("Customers").WithName("LookUpClinicPatient")
            .WithSummary("Finds a customer by email and phone together, and makes them the clinic's patient (a desk booking)")
            .ClinicStaff("clinicId", scoped: false)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>The customers asked for: <c>?id=1&amp;id=2</c>.</summary>
    public sealed record PatientsQuery([FromQuery(Name = "id")] long[]? Ids);

    public sealed class PatientsQueryValidator : RequestValidator<PatientsQuery>
    {
        public PatientsQueryValidator()
        {
            // Named as the query parameter ("id"), which is also how the OpenAPI document finds these rules.
            RuleFor(q => q.Ids).NotEmpty().OverridePropertyName("id").WithMessage("Name at least one customer: ?id=1&id=2.");
            RuleFor(q => q.Ids!.Length).LessThanOrEqualTo(MaxIds).When(q => q.Ids is not null)
                .OverridePropertyName("id").WithMessage($"At most {MaxIds} ids at once.");
        }
    }

    public static async Task<Ok<IReadOnlyList<PatientResponse>>> ListPatients(
        long clinicId, [AsParameters] PatientsQuery query, CustomerDbContext db, CancellationToken ct)
    {
        var ids = query.Ids!.Distinct().ToArray();
        var patients = await db.Customers.AsNoTracking()
            .Where(c => ids.Contains(c.Id) && db.ClinicPatients.Any(p => p.CustomerId == c.Id && p.ClinicId == clinicId))
            .OrderBy(c => c.Id)
            .Select(c => new PatientResponse(c.Id, c.Name, c.Email, c.Phone))
            .ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<PatientResponse>>(patients);
    }

    /// <summary>
    /// The customer whose email and phone are both these (the phone compared by its digits), made the clinic's
    /// patient, so its staff can book for them. One answer for every miss (no such email, another phone, a
    /// deactivated customer), so the lookup cannot tell who has an account.
    /// </summary>
    public static async Task<Ok<PatientResponse>> LookUpPatient(
        long clinicId, PatientLookupRequest request, CustomerDbContext db, CancellationToken ct)
    {
        var email = request.Email!.Trim().ToLowerInvariant();
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.NormalizedEmail == email && c.IsActive, ct);
        if (customer is null || customer.Phone is null || Digits(customer.Phone) != Digits(request.Phone!))
        {
            throw ProblemException.NotFound("No customer has both this email and this phone number.");
        }
        await Bookings.ClinicPatients.AddAsync(db, [(clinicId, customer.Id)], ClinicPatient.ViaDesk, ct);
        return TypedResults.Ok(new PatientResponse(customer.Id, customer.Name, customer.Email, customer.Phone));
    }

    private static string Digits(string phone) => new([.. phone.Where(char.IsAsciiDigit)]);
}

/// <summary>The person at the desk, by what they can tell the clinic: their email and their phone number.</summary>
public sealed record PatientLookupRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Email,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Phone);

public sealed class PatientLookupRequestValidator : RequestValidator<PatientLookupRequest>
{
    public PatientLookupRequestValidator()
    {
        RuleFor(r => r.Email).NotEmpty().MaximumLength(Customer.EmailMaxLength).PlainText();
        RuleFor(r => r.Phone).NotEmpty().MaximumLength(Customer.PhoneMaxLength).PlainText()
            .Must(p => p!.Any(char.IsAsciiDigit)).When(r => !string.IsNullOrEmpty(r.Phone)).WithMessage("phone must contain digits.");
    }
}

/// <summary>Who a booked patient is and how to reach them.</summary>
public sealed record PatientResponse(long Id, string Name, string Email, string? Phone);
