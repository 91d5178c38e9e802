using ClinicBooking.Contracts.Access;
using ClinicBooking.ClinicService.Data;
using FluentValidation;

namespace ClinicBooking.ClinicService.DoctorSlots;


public sealed record DoctorSlotRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] long? TimeSlotId,
    [property: SetBy(Roles.Staff, Roles.Administrator)] int? Weekday);

public sealed class DoctorSlotRequestValidator : RequestValidator<DoctorSlotRequest>
{
    public DoctorSlotRequestValidator()
    {
        RuleFor(r => r.TimeSlotId).NotNull().WithMessage("timeSlotId is required.");
        RuleFor(r => r.Weekday).InclusiveBetween(1, 7).When(r => r.Weekday is not null)
            .WithMessage("weekday must be 1 (Monday) to 7 (Sunday), or null for every day.");
    }
}

public static class DoctorSlotResponses
{
    public static DoctorSlotResponse ToResponse(this DoctorSlot t) => new(t.Id, t.ClinicId, t.DoctorId, t.TimeSlotId, t.Weekday);
}
