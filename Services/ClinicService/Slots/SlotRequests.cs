using ClinicBooking.Contracts.Access;
using ClinicBooking.ClinicService.Data;
using FluentValidation;
using System.Text.Json.Serialization;

namespace ClinicBooking.ClinicService.Slots;


public sealed record CreateBookingSlotRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] long? DoctorId,
    [property: SetBy(Roles.Staff, Roles.Administrator)] long? TimeSlotId,
    [property: SetBy(Roles.Staff, Roles.Administrator)] DateOnly? Date);

public sealed record UpdateBookingSlotRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] long? TimeSlotId,
    [property: SetBy(Roles.Staff, Roles.Administrator)] DateOnly? Date);

/// <summary>Generate a clinic's slots from its templates for a date range, optionally for one doctor.</summary>
public sealed record CreateBookingSlotsRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] long? ClinicId,
    [property: SetBy(Roles.Staff, Roles.Administrator)] DateOnly? From,
    [property: SetBy(Roles.Staff, Roles.Administrator)] DateOnly? To,
    [property: SetBy(Roles.Staff, Roles.Administrator)] long? DoctorId)
{
    [JsonIgnore]
    public DateRangeQuery Range => new(From, To);
}


public static class SlotLimits
{
    /// <summary>The widest date range one request may generate or list.</summary>
    public const int MaxRangeDays = 62;

    public const string DateRequired = "date is required, as yyyy-MM-dd in the clinic's time zone.";
}

public sealed class CreateBookingSlotRequestValidator : RequestValidator<CreateBookingSlotRequest>
{
    public CreateBookingSlotRequestValidator()
    {
        RuleFor(r => r.DoctorId).NotNull().WithMessage("doctorId is required.");
        RuleFor(r => r.TimeSlotId).NotNull().WithMessage("timeSlotId is required.");
        RuleFor(r => r.Date).NotNull().WithMessage(SlotLimits.DateRequired).InDateWindow();
    }
}

public sealed class UpdateBookingSlotRequestValidator : RequestValidator<UpdateBookingSlotRequest>
{
    public UpdateBookingSlotRequestValidator()
    {
        RuleFor(r => r.TimeSlotId).NotNull().WithMessage("timeSlotId is required.");
        RuleFor(r => r.Date).NotNull().WithMessage(SlotLimits.DateRequired).InDateWindow();
    }
}

public sealed class CreateBookingSlotsRequestValidator : RequestValidator<CreateBookingSlotsRequest>
{
    public CreateBookingSlotsRequestValidator()
    {
        RuleFor(r => r.ClinicId).NotNull().WithMessage("clinicId is required.");
        this.ValidRange(r => r.From, r => r.To, SlotLimits.MaxRangeDays);
    }
}

public sealed class DateRangeQueryValidator : RequestValidator<DateRangeQuery>
{
    public DateRangeQueryValidator() => this.ValidRange(r => r.From, r => r.To, SlotLimits.MaxRangeDays);
}

public static class BookingSlotResponses
{
    public static BookingSlotResponse ToResponse(this BookingSlot s, string timeZone) =>
        new(s.Id, s.ClinicId, s.DoctorId, s.TimeSlotId, s.Date,
            SlotTimes.ToClinicTime(s.StartsAt, timeZone), SlotTimes.ToClinicTime(s.EndsAt, timeZone), s.CustomerId is not null, s.CustomerId, s.Mode,
            Contracts.Payments.Price.Of(s.PriceAmount, s.PriceCurrency));
}
