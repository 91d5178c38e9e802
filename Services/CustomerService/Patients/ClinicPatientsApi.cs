using ClinicBooking.CustomerService.Data;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Patients;

/// <summary>
/// A clinic's patients: who is coming, for the clinic's staff (a day's schedule names each booked patient and
/// how to reach them). Staff see only customers who have booked at their clinic, read from the bookings read
/// model here; anyone else's record stays out of reach (the ids asked for that never booked there are left out).
/// </summary>
public static class ClinicPatientsApi
{
    public const int MaxIds = 100;

    public static IEndpointRouteBuilder MapClinicPatientsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/clinics/{clinicId:long}/patients", ListPatients).WithTags("Customers").WithName("ListClinicPatients")
            .WithSummary("Contact details of the named customers who have booked at the clinic")
            .ClinicStaff("clinicId", scoped: false);
        return app;
    }

    /// <summary>The customers asked for: <c>?id=1&amp;id=2</c>.</summary>
    public sealed record PatientsQuery([FromQuery(Name = "id")] long[]? Ids);

    public sealed class PatientsQueryValidator : RequestValidator<PatientsQuery>
    {
        public PatientsQueryValidator()
        {
            RuleFor(q => q.Ids).NotEmpty().WithMessage("Name at least one customer: ?id=1&id=2.");
            RuleFor(q => q.Ids!.Length).LessThanOrEqualTo(MaxIds).When(q => q.Ids is not null)
                .OverridePropertyName("id").WithMessage($"At most {MaxIds} ids at once.");
        }
    }

    public static async Task<Ok<IReadOnlyList<PatientResponse>>> ListPatients(
        long clinicId, [AsParameters] PatientsQuery query, CustomerDbContext db, CancellationToken ct)
    {
        var ids = query.Ids!.Distinct().ToArray();
        var patients = await db.Customers.AsNoTracking()
            .Where(c => ids.Contains(c.Id) && db.CustomerBookings.Any(b => b.CustomerId == c.Id && b.ClinicId == clinicId))
            .OrderBy(c => c.Id)
            .Select(c => new PatientResponse(c.Id, c.Name, c.Email, c.Phone))
            .ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<PatientResponse>>(patients);
    }
}

/// <summary>Who a booked patient is and how to reach them.</summary>
public sealed record PatientResponse(long Id, string Name, string Email, string? Phone);
