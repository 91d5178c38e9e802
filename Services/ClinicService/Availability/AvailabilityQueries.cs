using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Contracts.Consultations;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBooking.ClinicService.Availability;

public static class AvailabilityLimits
{
    public const int DefaultDays = 7;
    public const int MaxDays = 31;
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
}

/// <summary>
/// <c>GET /clinics/{clinicId}/availability</c>: a clinic's free slots, optionally of one specialization or doctor.
/// Every availability query takes <c>mode</c> (in-person or online): the slots that can be booked so, which
/// includes those offering either.
/// </summary>
public sealed record ClinicAvailabilityQuery(
    [FromRoute(Name = "clinicId")] long ClinicId,
    [FromQuery(Name = "from")] DateOnly? From,
    [FromQuery(Name = "to")] DateOnly? To,
    [FromQuery(Name = "specialization")] string? Specialization,
    [FromQuery(Name = "doctorId")] long? DoctorId,
    [FromQuery(Name = "mode")] string? Mode,
    [FromQuery(Name = "after")] string? After,
    [FromQuery(Name = "limit")] int Limit = AvailabilityLimits.DefaultLimit);

/// <summary><c>GET /doctors/{doctorId}/availability</c>: a doctor's free slots.</summary>
public sealed record DoctorAvailabilityQuery(
    [FromQuery(Name = "from")] DateOnly? From,
    [FromQuery(Name = "to")] DateOnly? To,
    [FromQuery(Name = "mode")] string? Mode,
    [FromQuery(Name = "after")] string? After,
    [FromQuery(Name = "limit")] int Limit = AvailabilityLimits.DefaultLimit);

/// <summary>
/// <c>GET /availability/search</c>: this cell's free slots across its clinics, on one <see cref="Date"/> or
/// from <see cref="From"/> to <see cref="To"/> (clinic-local dates).
/// </summary>
public sealed record SearchQuery(
    [FromQuery(Name = "date")] DateOnly? Date,
    [FromQuery(Name = "from")] DateOnly? From,
    [FromQuery(Name = "to")] DateOnly? To,
    [FromQuery(Name = "specialization")] string? Specialization,
    [FromQuery(Name = "clinicId")] long? ClinicId,
    [FromQuery(Name = "mode")] string? Mode,
    [FromQuery(Name = "after")] string? After,
    [FromQuery(Name = "limit")] int Limit = AvailabilityLimits.DefaultLimit);

/// <summary><c>GET /availability/next</c>: this cell's earliest free slot, optionally of one specialization or clinic, from a date.</summary>
public sealed record NextQuery(
    [FromQuery(Name = "specialization")] string? Specialization,
    [FromQuery(Name = "clinicId")] long? ClinicId,
    [FromQuery(Name = "from")] DateOnly? From,
    [FromQuery(Name = "mode")] string? Mode = null);

public sealed class ClinicAvailabilityQueryValidator : RequestValidator<ClinicAvailabilityQuery>
{
    public ClinicAvailabilityQueryValidator()
    {
        RuleFor(q => q.DoctorId).Must((q, doctorId) => ClinicIds.ClinicOf(doctorId!.Value) == q.ClinicId).When(q => q.DoctorId is not null)
            .WithMessage("The doctor does not belong to this clinic.");
        RuleFor(q => q.Specialization).Filter(Doctor.SpecializationMaxLength);
        RuleFor(q => q.Mode).BookedMode();
        this.PageOfSlots(q => q.From, q => q.To, q => q.After, q => q.Limit);
    }
}

public sealed class DoctorAvailabilityQueryValidator : RequestValidator<DoctorAvailabilityQuery>
{
    public DoctorAvailabilityQueryValidator()
    {
        RuleFor(q => q.Mode).BookedMode();
        this.PageOfSlots(q => q.From, q => q.To, q => q.After, q => q.Limit);
    }
}

public sealed class SearchQueryValidator : RequestValidator<SearchQuery>
{
    public SearchQueryValidator()
    {
        RuleFor(q => q.Date).Null().When(q => q.From is not null || q.To is not null).WithMessage("Give either date, or from and to.");
        RuleFor(q => q.Specialization).Filter(Doctor.SpecializationMaxLength);
        RuleFor(q => q.Mode).BookedMode();
        this.PageOfSlots(q => q.Date ?? q.From, q => q.Date ?? q.To, q => q.After, q => q.Limit);
    }
}

public sealed class NextQueryValidator : RequestValidator<NextQuery>
{
    public NextQueryValidator()
    {
        RuleFor(q => q.Specialization).Filter(Doctor.SpecializationMaxLength);
        RuleFor(q => q.Mode).BookedMode();
        RuleFor(q => q.From).InDateWindow();
    }
}

internal static class AvailabilityRules
{
    /// <summary>How the appointment is to take place, when given: in-person or online.</summary>
    public static IRuleBuilderOptions<T, string?> BookedMode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(mode => mode is null || ConsultationModes.Booked.Contains(mode))
            .WithMessage($"{{PropertyName}} must be one of: {string.Join(", ", ConsultationModes.Booked)}.");

    /// <summary>A page of free slots: a date range of at most <see cref="AvailabilityLimits.MaxDays"/>, a cursor, a limit.</summary>
    public static void PageOfSlots<T>(this AbstractValidator<T> validator,
        Func<T, DateOnly?> from, Func<T, DateOnly?> to, Func<T, string?> after, Func<T, int> limit)
    {
        validator.ValidRange(from, to, AvailabilityLimits.MaxDays);
        validator.RuleFor(q => limit(q)).InclusiveBetween(1, AvailabilityLimits.MaxLimit).OverridePropertyName("limit")
            .WithMessage($"limit must be between 1 and {AvailabilityLimits.MaxLimit}.");
        validator.RuleFor(q => after(q)).Must(cursor => AvailabilityCursor.Parse(cursor!) is not null).When(q => after(q) is not null)
            .OverridePropertyName("after").WithMessage("after must be a cursor returned as nextCursor.");
    }
}
