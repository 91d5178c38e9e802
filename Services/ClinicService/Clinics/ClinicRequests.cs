using ClinicBooking.Contracts.Access;
using ClinicBooking.ClinicService.Data;
using FluentValidation;
using NodaTime;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBooking.ClinicService.Clinics;

/// <summary>Create, replace or merge-patch a clinic. <see cref="IsActive"/>: only an explicit true reactivates.</summary>
public sealed record ClinicRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Name,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? TimeZone,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Address,
    // Whether the clinic takes part at all is the administrators' decision, like DELETE /clinics/{id}.
    [property: SetBy(Roles.Administrator)] bool? IsActive = null,
    // Left out: the platform's default. A PUT replaces it like every other field.
    [property: SetBy(Roles.Staff, Roles.Administrator)] int? MaxActiveBookingsPerCustomer = null,
    // Left out: paid later or at the desk.
    [property: SetBy(Roles.Staff, Roles.Administrator)] bool? PayAtBooking = null);

public sealed class ClinicRequestValidator : RequestValidator<ClinicRequest>
{
    public ClinicRequestValidator()
    {
        RuleFor(r => r.Name).RequiredText(Clinic.NameMaxLength);
        RuleFor(r => r.TimeZone)
            .NotEmpty().WithMessage("timeZone is required (an IANA time zone such as Europe/Berlin).")
            .DependentRules(() => RuleFor(r => r.TimeZone)
                .Must(zone => DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone!.Trim()) is not null)
                .WithMessage(r => $"'{r.TimeZone}' is not an IANA time zone such as Europe/Berlin."));
        RuleFor(r => r.Address).TrimmedMaximumLength(Clinic.AddressMaxLength);
        RuleFor(r => r.MaxActiveBookingsPerCustomer).InclusiveBetween(1, Clinic.MaxActiveBookingsLimit)
            .When(r => r.MaxActiveBookingsPerCustomer is not null)
            .WithMessage($"maxActiveBookingsPerCustomer must be between 1 and {Clinic.MaxActiveBookingsLimit}, or left out for the platform's default.");
    }
}

/// <summary>The list of a cell's clinics: after a cursor, a page of at most <see cref="Limit"/>.</summary>
public sealed record ClinicListQuery(
    [FromQuery(Name = "after")] string? After,
    [FromQuery(Name = "limit")] int Limit = Paging.DefaultPageSize,
    [FromQuery(Name = "includeInactive")] bool IncludeInactive = false)
{
    public long AfterId => After is null ? 0 : ClinicPage.ParseCursor(After) ?? 0;
}

public sealed class ClinicListQueryValidator : RequestValidator<ClinicListQuery>
{
    public ClinicListQueryValidator()
    {
        RuleFor(q => q.After).Must(after => ClinicPage.ParseCursor(after!) is not null).When(q => q.After is not null)
            .WithMessage("after must be a cursor returned as nextCursor.");
        RuleFor(q => q.Limit).InclusiveBetween(1, Paging.MaxPageSize).WithMessage($"limit must be between 1 and {Paging.MaxPageSize}.");
    }
}

public static class ClinicMapping
{
    public static ClinicResponse ToResponse(this Clinic c) =>
        new(c.Id, ClinicIds.ShardOfClinic(c.Id), c.Name, c.TimeZone, c.Address, c.IsActive, c.CreatedAt, c.UpdatedAt, c.MaxActiveBookingsPerCustomer, c.PayAtBooking);
}
