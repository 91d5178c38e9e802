using ClinicBooking.ClinicService.Apis;

namespace ClinicBooking.UnitTests;

public class AvailabilityCursorTests
{
    [Fact]
    public void A_cursor_round_trips_the_start_instant_and_id()
    {
        var startsAt = new DateTimeOffset(2027, 3, 28, 9, 0, 0, TimeSpan.FromHours(2)).AddTicks(1230);

        var cursor = AvailabilityCursor.Format(startsAt, 68719476741);

        Assert.Equal((startsAt, 68719476741L), AvailabilityCursor.Parse(cursor));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("-5.7")]
    [InlineData("99999999999999999999.1")]
    public void Anything_else_is_not_a_cursor(string cursor) => Assert.Null(AvailabilityCursor.Parse(cursor));
}

public class DateRangeTests
{
    private static readonly DateOnly Today = new(2027, 1, 10);

    [Fact]
    public void Defaults_start_today_and_span_the_default_days()
    {
        var (from, to, errors) = DateRange.Resolve(null, null, Today, defaultDays: 7, maxDays: 31);

        Assert.Empty(errors);
        Assert.Equal(Today, from);
        Assert.Equal(Today.AddDays(6), to);
    }

    [Fact]
    public void The_maximum_span_is_inclusive()
    {
        Assert.Empty(DateRange.Resolve(Today, Today.AddDays(30), Today, 7, 31).Errors);
        Assert.Equal(["to"], DateRange.Resolve(Today, Today.AddDays(31), Today, 7, 31).Errors.Keys);
    }

    [Fact]
    public void An_end_before_the_start_is_refused() =>
        Assert.Equal(["to"], DateRange.Resolve(Today, Today.AddDays(-1), Today, 7, 31).Errors.Keys);
}

public class SlotTimesTests
{
    [Fact]
    public void A_shift_keeps_its_wall_clock_hours_across_spring_forward()
    {
        var before = SlotTimes.Resolve(new DateOnly(2027, 3, 27), new TimeOnly(9, 0), new TimeOnly(13, 0), "Europe/Berlin");
        var after = SlotTimes.Resolve(new DateOnly(2027, 3, 28), new TimeOnly(9, 0), new TimeOnly(13, 0), "Europe/Berlin");

        Assert.Equal(new DateTimeOffset(2027, 3, 27, 8, 0, 0, TimeSpan.Zero), before.Start);
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 7, 0, 0, TimeSpan.Zero), after.Start);
        Assert.Equal(TimeSpan.FromHours(4), after.End - after.Start);
        Assert.Equal("2027-03-28T09:00:00+02:00", SlotTimes.ToClinicTime(after.Start, "Europe/Berlin").ToString("yyyy-MM-ddTHH:mm:sszzz"));
    }

    [Fact]
    public void A_shift_that_spans_the_fall_back_hour_lasts_an_hour_longer()
    {
        var (start, end) = SlotTimes.Resolve(new DateOnly(2027, 10, 31), new TimeOnly(1, 0), new TimeOnly(4, 0), "Europe/Berlin");

        Assert.Equal(TimeSpan.FromHours(4), end - start); // 01:00 to 04:00 local passes 02:00-03:00 twice
    }

    [Fact]
    public void A_start_inside_the_spring_forward_gap_moves_later()
    {
        var (start, _) = SlotTimes.Resolve(new DateOnly(2027, 3, 28), new TimeOnly(2, 30), new TimeOnly(4, 0), "Europe/Berlin");

        Assert.Equal("03:30", SlotTimes.ToClinicTime(start, "Europe/Berlin").ToString("HH:mm"));
    }

    [Fact]
    public void A_start_in_the_repeated_fall_back_hour_takes_the_later_offset()
    {
        var (start, _) = SlotTimes.Resolve(new DateOnly(2027, 10, 31), new TimeOnly(2, 30), new TimeOnly(4, 0), "Europe/Berlin");

        Assert.Equal(new DateTimeOffset(2027, 10, 31, 1, 30, 0, TimeSpan.Zero), start); // 02:30+01:00
    }
}
