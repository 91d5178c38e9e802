using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Issue 26, finding 6: one customer confirmed 30 of a clinic's free slots in a row, and a book-then-cancel
/// loop drew a row id from the shard's budget on every attempt. Now a customer holds at most a clinic's cap of
/// upcoming bookings there (5 unless the clinic sets its own) and 10 in all, whatever the concurrency, and may
/// attempt at most 60 bookings an hour.
/// </summary>
public sealed class BookingCapsTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly BookingApi _api = new(app);

    /// <summary>A booking that holds its slot: confirmed (201), or still being confirmed when the request stopped waiting (202).</summary>
    private static readonly HttpStatusCode[] Booked = [HttpStatusCode.Created, HttpStatusCode.Accepted];

    [Fact]
    public async Task A_customer_holds_at_most_the_clinics_cap_and_a_cancel_frees_a_place()
    {
        var (clinic, slots) = await _api.CreateSlotsAsync(8);
        var customer = await Tokens.NewCustomerAsync(app, "Hoarding Hal", Ct);
        var booked = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            using var ok = await BookAsync(slots[i], customer.Token);
            Assert.Contains(ok.StatusCode, Booked);
            booked.Add((await ok.ReadJsonAsync()).GetProperty("id").GetInt64());
        }
        using var sixth = await BookAsync(slots[5], customer.Token);
        var problem = await sixth.AssertProblemAsync(422);
        Assert.Equal("too-many-upcoming-bookings", problem.GetProperty("reason").GetString());
        // The slot is free again for others.
        Assert.Contains((await _api.BookAsync(slots[5], await _api.CreateCustomerAsync())).StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Accepted });

        using var cancel = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/bookings/{booked[0]}").As(customer.Token), Ct);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await Http.WaitUntilAsync(async () =>
        {
            using var again = await BookAsync(slots[6], customer.Token);
            return again.StatusCode == HttpStatusCode.Created;
        }, seconds: 10);
    }

    [Fact]
    public async Task A_clinics_own_cap_holds_when_a_customer_books_many_at_once()
    {
        var (clinic, slots) = await _api.CreateSlotsAsync(8);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/clinics/{clinic.Id}") { Content = Http.Json("""{"maxActiveBookingsPerCustomer": 3}""", "application/merge-patch+json") };
        using var patched = await app.Gateway.SendAsync(patch, Ct);
        Assert.Equal(3, (await patched.ReadJsonAsync()).GetProperty("maxActiveBookingsPerCustomer").GetInt32());

        var customer = await Tokens.NewCustomerAsync(app, "Rush Ruth", Ct);
        var answers = await Task.WhenAll(slots.Select(async slot =>
        {
            using var response = await BookAsync(slot, customer.Token);
            return response.StatusCode;
        }));
        Assert.Equal(3, answers.Count(s => Booked.Contains(s)));
        Assert.Equal(5, answers.Count(s => s == HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task A_customer_holds_at_most_ten_upcoming_bookings_in_all()
    {
        var customer = await Tokens.NewCustomerAsync(app, "Many Clinics Max", Ct);
        var created = 0;
        foreach (var shard in new[] { 0, 1, 0 })
        {
            var (_, slots) = await _api.CreateSlotsAsync(4, shard);
            foreach (var slot in slots)
            {
                using var response = await BookAsync(slot, customer.Token);
                if (created < 10)
                {
                    Assert.Contains(response.StatusCode, Booked);
                    created++;
                }
                else
                {
                    Assert.Equal("too-many-upcoming-bookings", (await response.AssertProblemAsync(422)).GetProperty("reason").GetString());
                }
            }
        }
    }

    [Fact]
    public async Task A_customer_attempts_at_most_60_bookings_an_hour()
    {
        var slot = await _api.CreateSlotAsync();
        // Taken either way: confirmed (201) or still being confirmed (202, a cold broker), the slot is held.
        Assert.Contains((await _api.BookAsync(slot, await _api.CreateCustomerAsync())).StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Accepted });
        var customer = await Tokens.NewCustomerAsync(app, "Loop Lou", Ct);
        // The slot is taken: each attempt is refused (409) and draws nothing; the 61st is not even tried.
        for (var attempt = 1; attempt <= 60; attempt++)
        {
            using var refused = await BookAsync(slot, customer.Token);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }
        using var limited = await BookAsync(slot, customer.Token);
        await limited.AssertProblemAsync(429);
        Assert.NotNull(limited.Headers.RetryAfter);
        // Other calls of the same customer are not held back.
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/customers/{customer.CustomerId}").As(customer.Token), Ct)).StatusCode);
    }

    private async Task<HttpResponseMessage> BookAsync(long slot, string token) =>
        await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slot}/booking") { Content = JsonContent.Create(new { }) }.As(token), Ct);
}
