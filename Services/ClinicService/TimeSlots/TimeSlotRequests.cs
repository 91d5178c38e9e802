using ClinicBooking.Contracts.Access;
using System.Globalization;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.Contracts.Consultations;
using ClinicBooking.Contracts.Payments;
using FluentValidation;
using System.Text.Json.Serialization;

namespace ClinicBooking.ClinicService.TimeSlots;


/// <summary>
/// A shift: its name, hours, how its appointments take place (<c>mode</c>: in-person, online or either; left
/// out, in person for a new shift and unchanged for an existing one) and what they cost (<c>price</c>: left out,
/// free for a new shift and unchanged for an existing one; an amount of 0 makes it free).
/// </summary>
public sealed record TimeSlotRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Name,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? StartTime,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? EndTime,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Mode = null,
    [property: SetBy(Roles.Staff, Roles.Administrator)] Price? Price = null)
{
    /// <summary>The price as a shift stores it: an amount of 0 is free, no price.</summary>
    [JsonIgnore]
    public Price? StoredPrice => Price is { } price ? Price.Of(price.Amount, price.Currency) : null;

    /// <summary>The shift's hours; valid once the request has passed its validator.</summary>
    [JsonIgnore]
    public (TimeOnly Start, TimeOnly End) Hours => (ParseTime(StartTime)!.Value, ParseTime(EndTime)!.Value);

    /// <summary>HH:mm or HH:mm:ss, 00:00 to 23:59:59.</summary>
    public const string TimePattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$";

    public static TimeOnly? ParseTime(string? value) =>
        TimeOnly.TryParseExact(value, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : null;
}

public sealed class TimeSlotRequestValidator : RequestValidator<TimeSlotRequest>
{
    public TimeSlotRequestValidator()
    {
        RuleFor(r => r.Name).RequiredText(TimeSlot.NameMaxLength);
        RuleFor(r => r.StartTime).Time();
        RuleFor(r => r.EndTime).Time()
            .Must((r, end) => TimeSlotRequest.ParseTime(end) > TimeSlotRequest.ParseTime(r.StartTime))
            .When(r => TimeSlotRequest.ParseTime(r.StartTime) is not null && TimeSlotRequest.ParseTime(r.EndTime) is not null,
                ApplyConditionTo.CurrentValidator)
            .WithMessage("endTime must be after startTime; a shift ends on the day it starts.");
        RuleFor(r => r.Mode).OfferedMode();
        RuleFor(r => r.Price).SetValidator(new PriceValidator()!);
    }
}

/// <summary>A price a shift or template may set: a known currency, an amount from 0 (free) up to a bound, in its minor units.</summary>
public sealed class PriceValidator : RequestValidator<Price>
{
    public PriceValidator()
    {
        RuleFor(p => p.Currency).Must(Currencies.IsKnown)
            .WithMessage("price.currency must be an ISO 4217 currency code in capitals, such as EUR.");
        RuleFor(p => p.Amount).InclusiveBetween(0, Price.MaxAmount)
            .WithMessage($"price.amount must be from 0 (free) to {Price.MaxAmount}.");
        RuleFor(p => p.Amount).Must((p, amount) => Currencies.FitsMinorUnits(amount, p.Currency))
            .When(p => Currencies.IsKnown(p.Currency))
            .WithMessage(p => $"price.amount has more decimals than {p.Currency} has ({Currencies.MinorDigits(p.Currency)}).");
    }
}

internal static class TimeRules
{
    /// <summary>A mode a shift or template may offer, when given.</summary>
    public static IRuleBuilderOptions<T, string?> OfferedMode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(mode => mode is null || ConsultationModes.Offered.Contains(mode))
            .WithMessage($"{{PropertyName}} must be one of: {string.Join(", ", ConsultationModes.Offered)}.");

    /// <summary>A time of day as HH:mm (or HH:mm:ss). A pattern, so that the OpenAPI document states it too.</summary>
    public static IRuleBuilderOptions<T, string?> Time<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("{PropertyName} is required, as HH:mm.")
            .Matches(TimeSlotRequest.TimePattern)
            .WithMessage("{PropertyName} must be a time of day as HH:mm, such as 09:30.");
}

public static class TimeSlotResponses
{
    public static TimeSlotResponse ToResponse(this TimeSlot t) =>
        new(t.Id, t.ClinicId, t.Name, t.StartTime.ToString("HH:mm"), t.EndTime.ToString("HH:mm"), t.IsActive, t.Mode,
            Price.Of(t.PriceAmount, t.PriceCurrency));
}
