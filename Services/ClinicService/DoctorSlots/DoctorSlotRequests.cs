using ClinicBooking.Contracts.Access;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.TimeSlots;
using FluentValidation;

namespace ClinicBooking.ClinicService.DoctorSlots;


/// <summary>A doctor's template: a time slot on a weekday (or every day), and its <c>mode</c> where it differs from the time slot's (null: the time slot's).</summary>
public sealed record DoctorSlotRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] long? TimeSlotId,
    [property: SetBy(Roles.Staff, Roles.Administrator)] int? Weekday,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Mode = null);

public sealed class DoctorSlotRequestValidator : RequestValidator<DoctorSlotRequest>
{
    public DoctorSlotRequestValidator()
    {
        RuleFor(r => r.TimeSlotId).NotNull().WithMessage("timeSlotId is required.");
        RuleFor(r => r.Weekday).InclusiveBetween(1, 7).When(r => r.Weekday is not null)
            .WithMessage("weekday must be 1 (Monday) to 7 (Sunday), or null for every day.");
        RuleFor(r => r.Mode).OfferedMode();
    }
}

public static class DoctorSlotResponses
{
    public static DoctorSlotResponse ToResponse(this DoctorSlot t) => new(t.Id, t.ClinicId, t.DoctorId, t.TimeSlotId, t.Weekday, t.Mode);
}
