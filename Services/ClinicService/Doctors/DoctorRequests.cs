using ClinicBooking.Contracts.Access;
using ClinicBooking.ClinicService.Data;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBooking.ClinicService.Doctors;


/// <summary>Create, replace or merge-patch a doctor. <see cref="IsActive"/>: only an explicit true reactivates.</summary>
public sealed record DoctorRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Name,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Specialization,
    [property: SetBy(Roles.Staff, Roles.Administrator)] bool? IsActive = null);

public sealed class DoctorRequestValidator : RequestValidator<DoctorRequest>
{
    public DoctorRequestValidator()
    {
        RuleFor(r => r.Name).RequiredText(Doctor.NameMaxLength);
        RuleFor(r => r.Specialization).RequiredText(Doctor.SpecializationMaxLength);
    }
}

/// <summary>A clinic's doctors, narrowed to one specialization (any case) and to the active ones unless asked.</summary>
public sealed record DoctorFilter(
    [FromQuery(Name = "specialization")] string? Specialization, [FromQuery(Name = "includeInactive")] bool IncludeInactive = false);

public sealed class DoctorFilterValidator : RequestValidator<DoctorFilter>
{
    public DoctorFilterValidator() => RuleFor(f => f.Specialization).Filter(Doctor.SpecializationMaxLength);
}

public static class DoctorResponses
{
    public static DoctorResponse ToResponse(this Doctor d) =>
        new(d.Id, d.ClinicId, d.Name, d.Specialization, d.IsActive, d.CreatedAt, d.UpdatedAt);
}
