using System.Net;
using System.Net.Http.Json;
using NodaTime;

namespace ClinicBooking.IntegrationTests;

/// <summary>Bookable slots generated from templates: horizon, idempotency, booked slots, inactive data, DST.</summary>
public class SlotGenerationTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Generation_fills_the_horizon_once_and_a_second_run_creates_nothing()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var zone = DateTimeZoneProviders.Tzdb[c.TimeZone];
        var now = SystemClock.Instance.GetCurrentInstant();
        var today = now.InZone(zone).Date;
        // Every day of the 14-day horizon whose 09:00 shift has not started yet.
        var expected = Enumerable.Range(0, 14).Select(today.PlusDays)
            .Where(d => zone.AtLeniently(d.At(new LocalTime(9, 0))).ToInstant() > now)
            .Select(d => d.ToDateOnly())
            .ToList();

        var created = await _api.GenerateAsync(c.Id);
        var again = await _api.GenerateAsync(c.Id);

        Assert.Equal(expected.Count, created);
        Assert.Equal(0, again);
        var slots = await _api.DoctorSlotsAsync(c.Doctor, today.ToDateOnly(), today.PlusDays(30).ToDateOnly());
        Assert.Equal(expected, slots.Select(s => DateOnly.Parse(s.GetProperty("date").GetString()!)));
    }

    /// <summary>
    /// The horizon starts today by the database's clock, not by the cell's: the cell of the skewed shard runs an
    /// hour ahead, so in a clinic where it is now past 23:00 the cell's own clock would already say tomorrow
    /// (CI once failed at 23:2x Berlin time). The clinic's zone is picked so that it is 23:xx there now
    /// (22:xx when the hour is nearly over, so the test never straddles midnight).
    /// </summary>
    [Fact]
    public async Task Generation_starts_today_by_the_databases_clock_even_on_a_cell_whose_clock_is_ahead()
    {
        var utc = DateTimeOffset.UtcNow;
        var hour = utc.Minute < 55 ? 23 : 22;
        var offset = ((hour - utc.Hour) % 24 + 24) % 24;
        offset = offset > 14 ? offset - 24 : offset; // Etc/GMT zones run from -12 to +14
        var zone = offset == 0 ? "Etc/UTC" : $"Etc/GMT{(offset > 0 ? "-" : "+")}{Math.Abs(offset)}"; // POSIX signs are reversed
        var c = await SlotFixtures.CreateAsync(_api, shard: ClinicBookingApp.SkewedShard, timeZone: zone);

        var response = await app.Gateway.PostAsJsonAsync("/availability/createBookingSlots", new { clinicId = c.Id }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var today = DateOnly.FromDateTime(utc.ToOffset(TimeSpan.FromHours(offset)).DateTime);
        Assert.Equal(today, DateOnly.Parse((await response.ReadJsonAsync()).GetProperty("from").GetString()!));
    }

    [Fact]
    public async Task A_rerun_of_generation_draws_no_ids_from_the_shard()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var second = await _api.CreateDoctorAsync(c.Id, c.Specialization);
        var afternoon = await _api.CreateTimeSlotAsync(c.Id, "14:00", "18:00");
        await _api.CreateTemplateAsync(second, c.TimeSlot);
        await _api.CreateTemplateAsync(second, afternoon);
        var from = SlotFixtures.NextYear(5, 1);
        var to = from.AddDays(20);
        // A slot made by hand that overlaps what the template would make on one day: generation skips that day.
        var late = await _api.CreateTimeSlotAsync(c.Id, "12:00", "12:30");
        var byHand = await _api.Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = late, date = from }, Ct);
        Assert.Equal(HttpStatusCode.Created, byHand.StatusCode);
        Assert.Equal(3 * 21 - 1, await _api.GenerateAsync(c.Id, from, to));
        var before = await _api.ScalarAsync<long>(c.Shard, "SELECT last_value FROM scoped_row_seq");

        Assert.Equal(0, await _api.GenerateAsync(c.Id, from, to));
        Assert.Equal(0, await _api.GenerateAsync(c.Id, from, to, doctorId: c.Doctor));

        Assert.Equal(before, await _api.ScalarAsync<long>(c.Shard, "SELECT last_value FROM scoped_row_seq"));
    }

    [Fact]
    public async Task Concurrent_generations_of_one_shard_never_create_a_slot_twice()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var from = SlotFixtures.NextYear(2, 1);
        var to = from.AddDays(27);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            _api.Gateway.PostAsJsonAsync("/availability/createBookingSlots", new { clinicId = c.Id, from, to }, Ct)));

        // Each run either did the work or found the shard busy and said so; none failed.
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        var total = 0;
        foreach (var ok in responses.Where(r => r.StatusCode == HttpStatusCode.OK))
        {
            total += (await ok.ReadJsonAsync()).GetProperty("created").GetInt32();
        }
        Assert.Equal(28, total);
        Assert.Equal(28, (await _api.DoctorSlotsAsync(c.Doctor, from, to)).Count);
    }

    [Fact]
    public async Task Generation_leaves_booked_slots_as_they_are()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var from = SlotFixtures.NextYear(4, 6);
        await _api.GenerateAsync(c.Id, from, from.AddDays(2));
        var booked = (await _api.DoctorSlotsAsync(c.Doctor, from, from))[0].GetProperty("id").GetInt64();
        var (_, customer) = await _api.BookAsync(booked);

        var created = await _api.GenerateAsync(c.Id, from, from.AddDays(3));

        Assert.Equal(1, created); // only the new last day
        var slots = await _api.DoctorSlotsAsync(c.Doctor, from, from.AddDays(3));
        Assert.Equal(4, slots.Count);
        var slot = slots.Single(s => s.GetProperty("id").GetInt64() == booked);
        Assert.True(slot.GetProperty("isBooked").GetBoolean());
        Assert.Equal(customer, await _api.ScalarAsync<long>(c.Shard, "SELECT customer_id FROM booking_slots WHERE id = $1", booked));
    }

    [Fact]
    public async Task Weekday_templates_only_produce_their_weekday()
    {
        var c = await SlotFixtures.CreateAsync(_api, weekday: 3); // Wednesdays
        var from = SlotFixtures.NextYear(5, 1);

        var created = await _api.GenerateAsync(c.Id, from, from.AddDays(20));

        var slots = await _api.DoctorSlotsAsync(c.Doctor, from, from.AddDays(20));
        Assert.Equal(3, created);
        Assert.All(slots, s => Assert.Equal(DayOfWeek.Wednesday, DateOnly.Parse(s.GetProperty("date").GetString()!).DayOfWeek));
    }

    [Fact]
    public async Task Inactive_doctors_get_no_slots_and_inactive_clinics_are_refused()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var retired = await _api.CreateDoctorAsync(c.Id, c.Specialization);
        await _api.CreateTemplateAsync(retired, c.TimeSlot);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.Gateway.DeleteAsync($"/doctors/{retired}", Ct)).StatusCode);
        var from = SlotFixtures.NextYear(6, 1);

        Assert.Equal(3, await _api.GenerateAsync(c.Id, from, from.AddDays(2)));
        Assert.Empty(await _api.DoctorSlotsAsync(retired, from, from.AddDays(2)));

        await _api.ExecuteAsync(c.Shard, "DELETE FROM booking_slots WHERE clinic_id = $1", c.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.Gateway.DeleteAsync($"/clinics/{c.Id}", Ct)).StatusCode);
        var refused = await _api.Gateway.PostAsJsonAsync("/availability/createBookingSlots", new { clinicId = c.Id, from, to = from }, Ct);
        await refused.AssertProblemAsync(409);
        Assert.Equal(0, await _api.ScalarAsync<long>(c.Shard, "SELECT count(*) FROM booking_slots WHERE clinic_id = $1", c.Id));
    }

    [Theory]
    [InlineData(3)]  // spring forward
    [InlineData(10)] // fall back
    public async Task A_local_shift_keeps_its_wall_clock_hours_across_a_daylight_saving_change(int month)
    {
        var c = await SlotFixtures.CreateAsync(_api, timeZone: "Europe/Berlin");
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var year = DateTime.UtcNow.Year + 1;
        // The last Sunday of the month is the switch day in the EU.
        var switchDay = Enumerable.Range(0, 7).Select(i => new LocalDate(year, month, DateTime.DaysInMonth(year, month)).PlusDays(-i))
            .Single(d => d.DayOfWeek == IsoDayOfWeek.Sunday);
        var before = switchDay.PlusDays(-1);

        await _api.GenerateAsync(c.Id, before.ToDateOnly(), switchDay.ToDateOnly());

        var slots = await _api.DoctorSlotsAsync(c.Doctor, before.ToDateOnly(), switchDay.ToDateOnly());
        Assert.Equal(2, slots.Count);
        foreach (var (slot, day) in slots.Zip(new[] { before, switchDay }))
        {
            var startsAt = DateTimeOffset.Parse(slot.GetProperty("startsAt").GetString()!);
            var endsAt = DateTimeOffset.Parse(slot.GetProperty("endsAt").GetString()!);
            Assert.Equal(day.ToDateOnly(), DateOnly.Parse(slot.GetProperty("date").GetString()!));
            Assert.Equal(new TimeSpan(9, 0, 0), startsAt.TimeOfDay);
            Assert.Equal(new TimeSpan(13, 0, 0), endsAt.TimeOfDay);
            Assert.Equal(zone.GetUtcOffset(Instant.FromDateTimeOffset(startsAt)).ToTimeSpan(), startsAt.Offset);
        }
        var offsets = slots.Select(s => DateTimeOffset.Parse(s.GetProperty("startsAt").GetString()!).Offset).ToList();
        Assert.Equal(month == 3 ? [TimeSpan.FromHours(1), TimeSpan.FromHours(2)] : [TimeSpan.FromHours(2), TimeSpan.FromHours(1)], offsets);
        // Stored as instants: the same local hour is a different UTC hour on each side of the switch.
        var utcHours = await _api.ScalarAsync<string>(c.Shard,
            "SELECT string_agg(extract(hour FROM starts_at AT TIME ZONE 'UTC')::text, ',' ORDER BY starts_at) FROM booking_slots WHERE doctor_id = $1",
            c.Doctor);
        Assert.Equal(month == 3 ? "8,7" : "7,8", utcHours);
    }

    [Fact]
    public async Task The_recurring_job_is_scheduled_in_each_cell_and_has_run()
    {
        foreach (var shard in new[] { 0, 1 })
        {
            var succeeded = 0L;
            for (var attempt = 0; attempt < 60 && succeeded == 0; attempt++)
            {
                succeeded = await _api.ScalarAsync<long>(shard,
                    "SELECT count(*) FROM hangfire.job WHERE statename = 'Succeeded' AND invocationdata::text LIKE '%GenerateAllAsync%'");
                if (succeeded == 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), Ct);
                }
            }
            Assert.True(succeeded > 0, $"no generation run succeeded in the cell of shard {shard}");
            Assert.Equal(1, await _api.ScalarAsync<long>(shard, "SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs' AND value = 'generate-booking-slots'"));
        }
    }
}
