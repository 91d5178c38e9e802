using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// The saga when a part of it is down: bookings wait as pending (holding their slots) and are decided once
/// the part is back, or expire and free their slots. None is lost, none is doubled.
/// </summary>
public class BookingRecoveryTests(ClinicBookingApp app)
{
    private readonly BookingApi _api = new(app);

    [Fact]
    public async Task With_CustomerService_stopped_bookings_stay_pending_and_are_confirmed_once_it_is_back()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(3);

        await app.StopAsync(ResourceNames.CustomerService);
        List<long> bookings;
        try
        {
            bookings = await BookPendingAsync(slots, customer);
            // Held while pending: another customer cannot take the slot meanwhile.
            var rival = await _api.BookAsync(slots[0], customer + 1);
            Assert.Contains("held", (await rival.AssertProblemAsync(StatusCodes.Conflict)).GetProperty("detail").GetString());
        }
        finally
        {
            await app.StartAsync(ResourceNames.CustomerService);
        }

        await AssertConfirmedOnceAsync(clinic.Shard, slots, bookings);
    }

    [Fact]
    public async Task A_pending_booking_whose_hold_runs_out_expires_frees_its_slot_and_stays_expired()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(1);

        await app.StopAsync(ResourceNames.CustomerService);
        long id;
        try
        {
            id = (await BookPendingAsync(slots, customer))[0];
            // Let the hold run out now rather than in two minutes; the expiry sweep does the rest.
            await _api.Clinics.ExecuteAsync(clinic.Shard,
                "UPDATE bookings SET expires_at = created_at + interval '1 millisecond' WHERE id = $1", id);
            var expired = await _api.WaitForDecisionAsync(id);
            Assert.Equal("expired", BookingApi.Status(expired));
            Assert.False(await _api.IsBookedAsync(slots[0]));
        }
        finally
        {
            await app.StartAsync(ResourceNames.CustomerService);
        }

        // CustomerService now answers the old question with "verified"; the expired booking stays expired.
        var listed = await _api.WaitForCustomerBookingsAsync(customer, items => items.Any(b => b.GetProperty("status").GetString() == "expired"));
        Assert.Equal("expired", Assert.Single(listed).GetProperty("status").GetString());
        Assert.Equal("expired", BookingApi.Status(await _api.GetBookingAsync(id)));
        Assert.Equal((1, 0), await _api.CountBookingsAsync(clinic.Shard, slots[0]));
        Assert.False(await _api.IsBookedAsync(slots[0]));
    }

    [Fact]
    public async Task With_RabbitMQ_stopped_bookings_wait_in_the_outbox_through_a_cell_restart_and_are_confirmed_once_it_is_back()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(3);

        await app.StopAsync(ResourceNames.RabbitMq);
        List<long> bookings;
        try
        {
            bookings = await BookPendingAsync(slots, customer);
            Assert.Equal(3L, await _api.Clinics.ScalarAsync<long>(clinic.Shard,
                "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND message_type = 'VerifyCustomer' AND booking_id = ANY($1)",
                bookings.ToArray()));
            await app.RestartAsync(ResourceNames.ClinicCell(clinic.Shard));
        }
        finally
        {
            await app.StartAsync(ResourceNames.RabbitMq);
        }

        await AssertConfirmedOnceAsync(clinic.Shard, slots, bookings);
    }

    [Fact]
    public async Task Questions_queued_in_RabbitMQ_survive_its_restart_and_a_restart_of_the_owning_cell()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(3);

        await app.StopAsync(ResourceNames.CustomerService);
        List<long> bookings;
        try
        {
            bookings = await BookPendingAsync(slots, customer);
            // Sent, so now only RabbitMQ holds them; both the broker and the cell go down and come back.
            Assert.Equal(0L, await _api.Clinics.ScalarAsync<long>(clinic.Shard,
                "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND booking_id = ANY($1)", bookings.ToArray()));
            await app.RestartAsync(ResourceNames.RabbitMq);
            await app.RestartAsync(ResourceNames.ClinicCell(clinic.Shard));
        }
        finally
        {
            await app.StartAsync(ResourceNames.CustomerService);
        }

        await AssertConfirmedOnceAsync(clinic.Shard, slots, bookings);
    }

    [Fact]
    public async Task A_pending_booking_is_in_the_customers_list_while_its_cell_cannot_decide_it()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(1);
        await app.StopAsync(ResourceNames.CustomerService);
        long id;
        try
        {
            id = (await BookPendingAsync(slots, customer))[0];
            await app.StopAsync(ResourceNames.ClinicCell(clinic.Shard));
        }
        finally
        {
            await app.StartAsync(ResourceNames.CustomerService);
        }
        try
        {
            // CustomerService answers the question; the answer waits in the stopped cell's queue.
            var pending = await _api.WaitForCustomerBookingsAsync(customer, items => items.Count > 0);
            var entry = Assert.Single(pending);
            Assert.Equal(id, entry.GetProperty("bookingId").GetInt64());
            Assert.Equal("pending", entry.GetProperty("status").GetString());
            var filtered = await _api.Gateway.GetFromJsonAsync<JsonElement>($"/customers/{customer}/bookings?status=pending", TestContext.Current.CancellationToken);
            Assert.Equal(id, Assert.Single(filtered.GetProperty("items").EnumerateArray()).GetProperty("bookingId").GetInt64());
        }
        finally
        {
            await app.StartAsync(ResourceNames.ClinicCell(clinic.Shard));
        }

        var confirmed = await _api.WaitForCustomerBookingsAsync(customer, items => items.Any(b => b.GetProperty("status").GetString() == "confirmed"));
        Assert.Equal("confirmed", Assert.Single(confirmed).GetProperty("status").GetString());
    }

    [Fact]
    public async Task With_CustomerServices_database_stopped_while_bookings_flow_the_customers_list_converges_with_the_shards()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(5);
        var before = new List<long>();
        foreach (var slot in slots.Take(2))
        {
            before.Add(BookingApi.Id(await (await _api.BookAsync(slot, customer)).ReadJsonAsync()));
        }
        await _api.WaitForCustomerBookingsAsync(customer, items => items.Count(b => b.GetProperty("status").GetString() == "confirmed") == 2);

        await app.StopAsync(ResourceNames.GlobalPostgres);
        List<long> during;
        try
        {
            // A status event (cancelled) and three questions, none of which CustomerService can act on now.
            Assert.Equal(HttpStatusCode.OK, (await _api.CancelAsync(before[0])).StatusCode);
            during = await BookPendingAsync(slots.Skip(2).ToList(), customer);
            // Longer than the consumers' retries of a failing message used to last before it was dead-lettered.
            await Task.Delay(TimeSpan.FromSeconds(25), TestContext.Current.CancellationToken);
        }
        finally
        {
            await app.StartAsync(ResourceNames.GlobalPostgres);
        }

        var all = before.Concat(during).ToList();
        var truth = new Dictionary<long, string>();
        foreach (var id in all)
        {
            truth[id] = BookingApi.Status(await _api.WaitForDecisionAsync(id));
        }
        Assert.Equal(["cancelled", "confirmed", "confirmed", "confirmed", "confirmed"], all.Select(id => truth[id]));
        var copy = await _api.WaitForCustomerBookingsAsync(customer, items =>
            items.Count == all.Count && items.All(b => truth[b.GetProperty("bookingId").GetInt64()] == b.GetProperty("status").GetString()));
        Assert.Equal(truth.OrderBy(t => t.Key), copy.Select(b => KeyValuePair.Create(b.GetProperty("bookingId").GetInt64(), b.GetProperty("status").GetString()!)).OrderBy(t => t.Key));
    }

    /// <summary>Books each slot for the customer while the saga cannot finish: 202, a Location, and pending.</summary>
    private async Task<List<long>> BookPendingAsync(List<long> slots, long customer)
    {
        var ids = new List<long>();
        foreach (var slot in slots)
        {
            var response = await _api.BookAsync(slot, customer);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var booking = await response.ReadJsonAsync();
            Assert.Equal($"/bookings/{BookingApi.Id(booking)}", response.Headers.Location?.OriginalString);
            var polled = await _api.GetBookingAsync(BookingApi.Id(booking));
            Assert.Equal("pending", BookingApi.Status(polled));
            Assert.True(polled.GetProperty("holdExpiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
            Assert.True(await _api.IsBookedAsync(slot));
            ids.Add(BookingApi.Id(booking));
        }
        return ids;
    }

    private async Task AssertConfirmedOnceAsync(int shard, List<long> slots, List<long> bookings)
    {
        foreach (var (slot, id) in slots.Zip(bookings))
        {
            var booking = await _api.WaitForDecisionAsync(id);
            Assert.Equal("confirmed", BookingApi.Status(booking));
            Assert.Equal((1, 1), await _api.CountBookingsAsync(shard, slot));
            Assert.True(await _api.IsBookedAsync(slot));
        }
    }
}
