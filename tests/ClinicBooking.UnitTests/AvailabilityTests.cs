using ClinicBooking.ClinicService.Slots;

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
    public void Defaults_start_today_and_span_the_default_days() =>
        Assert.Equal((Today, Today.AddDays(6)), new DateRangeQuery(null, null).Resolve(Today, defaultDays: 7, maxDays: 31));

    [Fact]
    public void The_maximum_span_is_inclusive()
    {
        Assert.Null(DateRange.Error(Today, Today.AddDays(30), 31));
        Assert.NotNull(DateRange.Error(Today, Today.AddDays(31), 31));
    }

    [Fact]
    public void An_end_before_the_start_is_refused() =>
        Assert.Equal("to must not be before from.", DateRange.Error(Today, Today.AddDays(-1), 31));

    [Fact]
    public void A_range_given_without_its_start_is_checked_from_today()
    {
        var tooFar = Assert.Throws<ProblemException>(() => new DateRangeQuery(null, Today.AddDays(31)).Resolve(Today, 7, 31));

        Assert.Equal(400, tooFar.Status);
        Assert.Equal(["to"], ((IDictionary<string, string[]>)tooFar.Extensions["errors"]!).Keys);
        Assert.Equal((Today, Today.AddDays(30)), new DateRangeQuery(null, Today.AddDays(30)).Resolve(Today, 7, 31));
    }

    [Fact]
    public void A_full_range_is_checked_by_the_validator_with_the_same_rule()
    {
        var errors = new DateRangeQueryValidator().Validate(new DateRangeQuery(Today, Today.AddDays(SlotLimits.MaxRangeDays))).ToDictionary();

        Assert.Equal([$"The range may span at most {SlotLimits.MaxRangeDays} days."], errors["to"]);
        Assert.True(new DateRangeQueryValidator().Validate(new DateRangeQuery(Today, null)).IsValid);
    }
}

public class KeysetTests
{
    [Fact]
    public void Merging_pages_keeps_the_first_items_of_all_sources_in_order()
    {
        var page = Keyset.Merge([new KeysetPage<int>([1, 4, 9], true), new KeysetPage<int>([2, 3], false)], n => n, limit: 3);

        Assert.Equal([1, 2, 3], page.Items);
        Assert.True(page.HasMore);
    }

    [Fact]
    public void More_follow_when_a_source_has_more_even_if_the_merge_left_nothing_out()
    {
        Assert.True(Keyset.Merge([new KeysetPage<int>([1], true), new KeysetPage<int>([], false)], n => n, 5).HasMore);
        Assert.False(Keyset.Merge([new KeysetPage<int>([1], false), new KeysetPage<int>([2], false)], n => n, 5).HasMore);
    }

    [Fact]
    public void Rows_read_with_one_extra_say_that_more_follow() =>
        Assert.Equal(new KeysetPage<int>([1, 2], true).Items, KeysetPage<int>.FromRows([1, 2, 3], 2).Items);

    [Fact]
    public void A_page_of_free_slots_names_its_last_slot_as_the_cursor_only_when_more_follow()
    {
        var start = new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.FromHours(1));
        AvailableSlot Slot(long id, int minutes) => new(id, 64, "C", 1, "D", "S", 2, new DateOnly(2027, 3, 1), start.AddMinutes(minutes), start.AddMinutes(minutes + 30), "Europe/Berlin", "in-person", null);
        var pages = new[] { new AvailabilityPage([Slot(5, 30)], null).AsKeyset(), new AvailabilityPage([Slot(7, 0), Slot(3, 30)], "x").AsKeyset() };

        var merged = AvailabilityPage.From(Keyset.Merge(pages, AvailabilityPage.Key, 2));

        Assert.Equal([7L, 3L], merged.Items.Select(s => s.Id));
        Assert.Equal(AvailabilityCursor.Format(start.AddMinutes(30), 3), merged.NextCursor);
        Assert.Null(AvailabilityPage.From(Keyset.Merge(pages, AvailabilityPage.Key, 2) with { HasMore = false }).NextCursor);
    }
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
