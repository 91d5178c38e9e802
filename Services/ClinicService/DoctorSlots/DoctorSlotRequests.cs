using ClinicBooking.Contracts.Access;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.TimeSlots;
using ClinicBooking.Contracts.Payments;
using FluentValidation;

namespace ClinicBooking.ClinicService.DoctorSlots;


/// <summary>
/// A doctor's template: a time slot on a weekday (or every day), and its <c>mode</c> and <c>price</c> where they
/// differ from the time slot's (null: the time slot's; a price of 0: free for this doctor).
/// </summary>
public sealed record DoctorSlotRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] long? TimeSlotId,
    [property: SetBy(Roles.Staff, Roles.Administrator)] int? Weekday,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Mode = null,
    [property: SetBy(Roles.Staff, Roles.Administrator)] Price? Price = null);

public sealed class DoctorSlotRequestValidator : RequestValidator<DoctorSlotRequest>
{
    public DoctorSlotRequestValidator()
    {
        RuleFor(r => r.TimeSlotId).NotNull().WithMessage("timeSlotId is required.");
        RuleFor(r => r.Weekday).InclusiveBetween(1, 7).When(r => r.Weekday is not null)
            .WithMessage("weekday must be 1 (Monday) to 7 (Sunday), or null for every day.");
        RuleFor(r => r.Mode).OfferedMode();
        RuleFor(r => r.Price).SetValidator(new PriceValidator()!);
    }
}

public static class DoctorSlotResponses
{
    // A template's 0 is shown as it was set: it says "free", where null says "the time slot's price".
    public static DoctorSlotResponse ToResponse(this DoctorSlot t) => new(t.Id, t.ClinicId, t.DoctorId, t.TimeSlotId, t.Weekday, t.Mode,
        t.PriceAmount is { } amount ? new Price(amount, t.PriceCurrency!) : null);
}
