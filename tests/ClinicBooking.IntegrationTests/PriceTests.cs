using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// What an appointment costs, end to end: a clinic prices a shift, a doctor's template may price it otherwise, the
/// slots carry the price in force when they were made (and follow it while free), search shows it, and a booking
/// keeps the price it was booked at.
/// </summary>
public sealed class PriceTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ClinicApi _api = new(app);

    [Fact]
    public async Task A_slot_costs_what_its_shift_or_the_doctors_template_says_and_a_booking_keeps_the_price_it_was_booked_at()
    {
        var clinic = await SlotFixtures.CreateAsync(_api);
        var day = SlotFixtures.NextYear(4, 5);

        // The shift costs 45.50 EUR: its slots, the clinic's availability and the search across cells say so.
        var shift = await PutShiftAsync(clinic, new { amount = 45.50m, currency = "EUR" });
        AssertPrice(shift, 45.50m, "EUR");
        await _api.GenerateAsync(clinic.Id, day, day.AddDays(1));
        var slots = await _api.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(1));
        Assert.Equal(2, slots.Count);
        Assert.All(slots, s => AssertPrice(s, 45.50m, "EUR"));
        var search = await app.Anonymous.GetFromJsonAsync<JsonElement>(
            $"/availability/search?date={day:yyyy-MM-dd}&specialization={clinic.Specialization}", Ct);
        var found = Assert.Single(search.GetProperty("items").EnumerateArray());
        AssertPrice(found, 45.50m, "EUR");

        // The doctor's template says 60 EUR: the free slots follow.
        var template = (await app.Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{clinic.Doctor}/slots", Ct)).EnumerateArray().Single();
        var templateId = template.GetProperty("id").GetInt64();
        AssertPrice(await PutTemplateAsync(templateId, clinic, new { amount = 60, currency = "EUR" }), 60m, "EUR");
        Assert.All(await _api.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(1)), s => AssertPrice(s, 60m, "EUR"));

        // A patient books one: the booking costs what the slot did.
        var booked = slots[0].GetProperty("id").GetInt64();
        var (bookingId, _) = await _api.BookAsync(booked);
        var bookings = new BookingApi(app);
        AssertPrice(await bookings.WaitForDecisionAsync(bookingId), 60m, "EUR");

        // The template makes this doctor's appointments free (0, where null would mean the shift's price): the free
        // slot loses its price, the booked one and its booking keep theirs.
        var free = await PutTemplateAsync(templateId, clinic, new { amount = 0, currency = "EUR" });
        AssertPrice(free, 0m, "EUR");
        var after = (await _api.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(1))).ToDictionary(s => s.GetProperty("id").GetInt64());
        AssertPrice(after[booked], 60m, "EUR");
        var other = slots[1].GetProperty("id").GetInt64();
        Assert.Equal(JsonValueKind.Null, after[other].GetProperty("price").ValueKind);
        var available = await app.Anonymous.GetFromJsonAsync<JsonElement>(
            $"/clinics/{clinic.Id}/availability?from={day:yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}", Ct);
        Assert.Equal(JsonValueKind.Null, available.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("id").GetInt64() == other)
            .GetProperty("price").ValueKind);
        AssertPrice(await bookings.GetBookingAsync(bookingId), 60m, "EUR");

        // The template leaves it to the shift again: the free slot costs the shift's price.
        var own = await PutTemplateAsync(templateId, clinic, price: null);
        Assert.Equal(JsonValueKind.Null, own.GetProperty("price").ValueKind);
        AssertPrice((await _api.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(1))).Single(s => s.GetProperty("id").GetInt64() == other), 45.50m, "EUR");

        // A shift's update that leaves the price out keeps it; an amount of 0 makes the shift free.
        AssertPrice(await PutShiftAsync(clinic, price: null), 45.50m, "EUR");
        Assert.Equal(JsonValueKind.Null, (await PutShiftAsync(clinic, new { amount = 0, currency = "EUR" })).GetProperty("price").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await _api.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(1)))
            .Single(s => s.GetProperty("id").GetInt64() == other).GetProperty("price").ValueKind);
    }

    [Theory]
    [InlineData("10", "\"eur\"")]
    [InlineData("10", "\"XYZ\"")]
    [InlineData("10", "null")]
    [InlineData("-1", "\"EUR\"")]
    [InlineData("10.005", "\"EUR\"")]
    [InlineData("100.5", "\"JPY\"")]
    [InlineData("100000.01", "\"EUR\"")]
    [InlineData("1e30", "\"EUR\"")]
    [InlineData("\"ten\"", "\"EUR\"")]
    public async Task A_price_that_is_not_a_price_is_refused_with_400(string amount, string currency)
    {
        var clinic = await _api.CreateClinicIdAsync();
        var body = $$$"""{"name": "Priced", "startTime": "09:00", "endTime": "12:00", "price": {"amount": {{{amount}}}, "currency": {{{currency}}}}}""";
        using var response = await app.Gateway.PostAsync($"/clinics/{clinic}/timeslots", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var problem = await response.AssertProblemAsync(400);
        Assert.Contains("price", problem.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_price_in_yen_is_whole()
    {
        var clinic = await _api.CreateClinicIdAsync();
        using var response = await app.Gateway.PostAsJsonAsync($"/clinics/{clinic}/timeslots",
            new { name = "Yen", startTime = "09:00", endTime = "12:00", price = new { amount = 5000, currency = "JPY" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        AssertPrice(await response.ReadJsonAsync(), 5000m, "JPY");
    }

    private Task<JsonElement> PutShiftAsync(SlotClinic clinic, object? price) => _api.PriceShiftAsync(clinic.TimeSlot, price);

    private async Task<JsonElement> PutTemplateAsync(long templateId, SlotClinic clinic, object? price)
    {
        using var response = await app.Gateway.PutAsJsonAsync($"/doctors/slots/{templateId}",
            new { timeSlotId = clinic.TimeSlot, weekday = (int?)null, price }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return await response.ReadJsonAsync();
    }

    private static void AssertPrice(JsonElement item, decimal amount, string currency)
    {
        var price = item.GetProperty("price");
        Assert.True(price.ValueKind == JsonValueKind.Object, $"No price in {item}");
        Assert.Equal(amount, price.GetProperty("amount").GetDecimal());
        Assert.Equal(currency, price.GetProperty("currency").GetString());
    }
}
