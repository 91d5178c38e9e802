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

/// <summary>
/// The dates a request may name: from <see cref="YearsBack"/> years before today (UTC) to <see cref="YearsAhead"/>
/// years after it. That holds a clinic's recent history and its planning; the rest is refused before any work,
/// so no request asks the database to build or search slots in year 1 or 9999 (instants it cannot represent, or
/// a statement that runs for minutes).
/// </summary>
public static class DateWindow
{
    public const int YearsBack = 5;
    public const int YearsAhead = 2;

    public static (DateOnly First, DateOnly Last) Current
    {
        get
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            return (today.AddYears(-YearsBack), today.AddYears(YearsAhead));
        }
    }

    public static bool Contains(DateOnly date) => Current is var (first, last) && date >= first && date <= last;

    /// <summary>The date, when given, lies in the window.</summary>
    public static IRuleBuilderOptions<T, DateOnly?> InDateWindow<T>(this IRuleBuilder<T, DateOnly?> rule) =>
        rule.Must(date => date is null || Contains(date.Value))
            .WithMessage(_ => $"{{PropertyName}} must be between {Current.First:yyyy-MM-dd} and {Current.Last:yyyy-MM-dd} " +
                              $"({YearsBack} years before to {YearsAhead} years after today).");
}

public static class DateRange
{
    /// <summary>Why the range is refused, or null: it must not end before it starts, nor span more than <paramref name="maxDays"/>.</summary>
    public static string? Error(DateOnly from, DateOnly to, int maxDays) =>
        to < from ? "to must not be before from."
        : to.DayNumber - from.DayNumber + 1 > maxDays ? $"The range may span at most {maxDays} days."
        : null;

    /// <summary>Checks a range whose start is given (<see cref="DateRangeQuery.Resolve"/> checks the others).</summary>
    public static void ValidRange<T>(this AbstractValidator<T> validator, Func<T, DateOnly?> from, Func<T, DateOnly?> to, int maxDays)
    {
        validator.RuleFor(r => from(r)).InDateWindow().OverridePropertyName("from");
        validator.RuleFor(r => to(r)).InDateWindow().OverridePropertyName("to");
        validator.RuleFor(r => to(r)).Must((r, end) => Error(from(r)!.Value, end!.Value, maxDays) is null)
            .When(r => from(r) is not null && to(r) is not null && DateWindow.Contains(from(r)!.Value) && DateWindow.Contains(to(r)!.Value))
            .OverridePropertyName("to")
            .WithMessage(r => Error(from(r)!.Value, to(r)!.Value, maxDays)!);
    }
}
