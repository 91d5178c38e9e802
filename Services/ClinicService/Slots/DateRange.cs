using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBooking.ClinicService.Slots;

/// <summary>
/// A range of clinic-local dates from the query string: <c>from</c> (default: today in the clinic's zone)
/// to <c>to</c> (default: the endpoint's number of days from <c>from</c>), at most a maximum span.
/// </summary>
public sealed record DateRangeQuery([FromQuery(Name = "from")] DateOnly? From, [FromQuery(Name = "to")] DateOnly? To)
{
    /// <summary>
    /// The range with its defaults filled in. Called once "today" is known; a range given without a start
    /// is checked here, against that today, by the same rule the validator applies to full ranges.
    /// </summary>
    public (DateOnly From, DateOnly To) Resolve(DateOnly today, int defaultDays, int maxDays)
    {
        var start = From ?? today;
        var end = To ?? start.AddDays(defaultDays - 1);
        if (DateRange.Error(start, end, maxDays) is { } error)
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["to"] = [error] });
        }
        return (start, end);
    }
}

public static class DateRange
{
    /// <summary>Why the range is refused, or null: it must not end before it starts, nor span more than <paramref name="maxDays"/>.</summary>
    public static string? Error(DateOnly from, DateOnly to, int maxDays) =>
        to < from ? "to must not be before from."
        : to.DayNumber - from.DayNumber + 1 > maxDays ? $"The range may span at most {maxDays} days."
        : null;

    /// <summary>Checks a range whose start is given (<see cref="DateRangeQuery.Resolve"/> checks the others).</summary>
    public static void ValidRange<T>(this AbstractValidator<T> validator, Func<T, DateOnly?> from, Func<T, DateOnly?> to, int maxDays) =>
        validator.RuleFor(r => to(r)).Must((r, end) => Error(from(r)!.Value, end!.Value, maxDays) is null)
            .When(r => from(r) is not null && to(r) is not null)
            .OverridePropertyName("to")
            .WithMessage(r => Error(from(r)!.Value, to(r)!.Value, maxDays)!);
}
