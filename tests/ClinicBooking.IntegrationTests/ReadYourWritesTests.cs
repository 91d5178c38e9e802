using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Issue 32, read-your-writes through the real gateway and cells: a search is cached at the gateway for up to its
/// bound (2 s) and at the cell, and may come from a replica; the person who has just booked or cancelled must see
/// it in their very next search, while others may see the old answer for at most the bound.
/// </summary>
public sealed class ReadYourWritesTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_patient_who_just_booked_or_cancelled_sees_it_in_their_next_search_and_others_within_the_bound()
    {
        var bookings = new BookingApi(app);
        var (clinic, slots) = await bookings.CreateSlotsAsync(1);
        var day = SlotFixtures.NextYear(1, 1);
        var search = $"/availability/search?date={day:yyyy-MM-dd}&specialization={clinic.Specialization}";
        var (customerId, token, _) = await Tokens.NewCustomerAsync(app, "Rita Reads", Ct);

        // Everyone's search, the patient's included, is answered (and cached) with the slot free.
        Assert.Contains(slots[0], await FreeAsync(search, token: null));
        Assert.Contains(slots[0], await FreeAsync(search, token));

        // The patient books it; their very next search, while the cached answer still shows the slot, does not.
        long booking;
        using (var book = new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slots[0]}/booking") { Content = JsonContent.Create(new { customerId }) }.As(token))
        using (var booked = await app.Anonymous.SendAsync(book, Ct))
        {
            Assert.True(booked.IsSuccessStatusCode, $"Booking answered {(int)booked.StatusCode}");
            booking = BookingApi.Id(await booked.ReadJsonAsync());
        }
        var bookedAt = Stopwatch.StartNew();
        Assert.DoesNotContain(slots[0], await FreeAsync(search, token));
        // Others see it taken too, at the latest once the bound has passed.
        await WithinBoundAsync(bookedAt, search, free => !free.Contains(slots[0]));

        // The patient cancels (the cached answer now shows the slot taken): their next search shows it free at once.
        Assert.DoesNotContain(slots[0], await FreeAsync(search, token: null));
        using (var cancel = new HttpRequestMessage(HttpMethod.Delete, $"/bookings/{booking}").As(token))
        using (var cancelled = await app.Anonymous.SendAsync(cancel, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }
        var cancelledAt = Stopwatch.StartNew();
        Assert.Contains(slots[0], await FreeAsync(search, token));
        await WithinBoundAsync(cancelledAt, search, free => free.Contains(slots[0]));
    }

    /// <summary>An anonymous search shows the change within the gateway's bound, and the time it took says so.</summary>
    private async Task WithinBoundAsync(Stopwatch since, string search, Func<List<long>, bool> changed)
    {
        // The bound (the gateway's SearchCacheDuration, 2 s), plus what a loaded machine may take to answer one search.
        var limit = TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(3);
        while (!changed(await FreeAsync(search, token: null)))
        {
            Assert.True(since.Elapsed < limit, $"Others still saw the old answer {since.Elapsed.TotalSeconds:0.0} s after the change.");
            await Task.Delay(100, Ct);
        }
    }

    private async Task<List<long>> FreeAsync(string search, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, search).As(token);
        using var response = await app.Anonymous.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return [.. page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetInt64())];
    }
}
