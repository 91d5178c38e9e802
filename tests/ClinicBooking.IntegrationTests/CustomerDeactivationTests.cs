using System.Net;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>A deactivated customer holds no slot: their future bookings are cancelled in every clinic, and none is confirmed after.</summary>
public class CustomerDeactivationTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly BookingApi _api = new(app);

    [Fact]
    public async Task Deactivating_a_customer_cancels_their_future_bookings_in_every_clinic_and_says_why()
    {
        var customer = await _api.CreateCustomerAsync();
        var slots = new[] { await _api.CreateSlotAsync(shard: 0), await _api.CreateSlotAsync(shard: 1) };
        var bookings = new List<long>();
        foreach (var slot in slots)
        {
            var booked = await (await _api.BookAsync(slot, customer)).ReadJsonAsync();
            Assert.Equal("confirmed", BookingApi.Status(booked));
            bookings.Add(BookingApi.Id(booked));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await _api.Gateway.DeleteAsync($"/customers/{customer}", Ct)).StatusCode);

        foreach (var (slot, id) in slots.Zip(bookings))
        {
            var booking = await WaitForStatusAsync(id, "cancelled");
            Assert.Equal("cancelled", BookingApi.Status(booking));
            Assert.Equal("customer-deactivated", booking.GetProperty("reason").GetString());
            Assert.False(await _api.IsBookedAsync(slot));
            // On record: the saga cancelled it, and why.
            var record = (await (await _api.Gateway.GetAsync($"/bookings/{id}/audit", Ct)).ReadJsonAsync()).EnumerateArray().Last();
            Assert.Equal(("booking.cancelled", "system", "customer-deactivated"),
                (record.GetProperty("action").GetString(), record.GetProperty("actor").GetString(), record.GetProperty("detail").GetString()));
        }
        var listed = await _api.WaitForCustomerBookingsAsync(customer, items => items.All(b => b.GetProperty("status").GetString() == "cancelled"));
        Assert.All(listed, b => Assert.Equal("cancelled", b.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_customer_deactivated_between_verification_and_confirmation_keeps_no_booking()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(1);
        var cell = ResourceNames.ClinicCell(clinic.Shard);

        // Held, and asked about, while CustomerService is down; then the cell goes down too, so the verdict
        // ("active") waits in its queue while the customer is deactivated.
        await app.StopAsync(ResourceNames.CustomerService);
        long id;
        try
        {
            var response = await _api.BookAsync(slots[0], customer);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            id = BookingApi.Id(await response.ReadJsonAsync());
            await app.StopAsync(cell);
        }
        finally
        {
            await app.StartAsync(ResourceNames.CustomerService);
        }
        try
        {
            await _api.WaitForCustomerBookingsAsync(customer, items => items.Count > 0); // the question was answered
            Assert.Equal(HttpStatusCode.NoContent, (await _api.Gateway.DeleteAsync($"/customers/{customer}", Ct)).StatusCode);
        }
        finally
        {
            await app.StartAsync(cell);
        }

        // The cell takes the verdict and the deactivation from two queues, in either order: the deactivation
        // first rejects the verdict's confirmation; the verdict first is confirmed, then cancelled. Either way
        // the customer keeps no booking, and the booking says why.
        var booking = await WaitForStatusAsync(id, "cancelled", "rejected");
        var expected = BookingApi.Status(booking) == "rejected" ? "inactive-customer" : "customer-deactivated";
        Assert.Equal(expected, booking.GetProperty("reason").GetString());
        Assert.False(await _api.IsBookedAsync(slots[0]));
    }

    private async Task<JsonElement> WaitForStatusAsync(long id, params string[] statuses)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var booking = await _api.GetBookingAsync(id);
            if (statuses.Contains(BookingApi.Status(booking)) || DateTime.UtcNow > deadline)
            {
                return booking;
            }
            await Task.Delay(250, Ct);
        }
    }
}
