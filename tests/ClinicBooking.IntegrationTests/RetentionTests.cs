using System.Net;
using Aspire.Hosting.Testing;
using Npgsql;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// The retention policy: what is over is removed after a while (past free slots after 30 days; bookings that
/// never became appointments after 90 days, in the shards and in the customers' lists), and a patient's history
/// of appointments stays. The jobs run at start, so a restart runs them; aged rows stand for time passing.
/// </summary>
public class RetentionTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly BookingApi _api = new(app);

    [Fact]
    public async Task Old_free_slots_and_old_rejected_bookings_go_and_appointment_history_stays()
    {
        var clinic = await SlotFixtures.CreateAsync(_api.Clinics);
        var shard = clinic.Shard;
        var now = DateTimeOffset.UtcNow;
        var oldFree = (await _api.Clinics.InsertBookingSlotAsync(shard, clinic.Id, clinic.Doctor, clinic.TimeSlot, now.AddDays(-40), TimeSpan.FromMinutes(30)))!.Value;
        var recentFree = (await _api.Clinics.InsertBookingSlotAsync(shard, clinic.Id, clinic.Doctor, clinic.TimeSlot, now.AddDays(-5), TimeSpan.FromMinutes(30)))!.Value;
        var customer = await _api.CreateCustomerAsync();
        var oldBooked = (await _api.Clinics.InsertPastBookedSlotAsync(shard, clinic.Id, clinic.Doctor, clinic.TimeSlot, now.AddDays(-41), TimeSpan.FromMinutes(30), customer))!.Value;
        // A rejected booking (an inactive customer's), then 100 days older, as if it had been made then.
        var inactive = await _api.CreateCustomerAsync(active: false);
        var rejected = (await (await _api.BookAsync(await _api.CreateSlotAsync(shard), inactive)).AssertProblemAsync(StatusCodes.Unprocessable))
            .GetProperty("bookingId").GetInt64();
        await _api.WaitForCustomerBookingsAsync(inactive, items => items.Any(b => b.GetProperty("status").GetString() == "rejected"));
        Assert.Equal(1, await _api.Clinics.ExecuteAsync(shard, """
            UPDATE bookings SET created_at = created_at - interval '100 days', expires_at = expires_at - interval '100 days',
                                rejected_at = rejected_at - interval '100 days' WHERE id = $1
            """, rejected));
        Assert.Equal(1, await ExecuteOnCustomersAsync(
            "UPDATE customer_bookings SET updated_at = updated_at - interval '100 days' WHERE booking_id = $1", rejected));

        await app.RestartAsync(ResourceNames.ClinicCell(shard));
        await app.RestartAsync(ResourceNames.CustomerService);

        await Http.WaitUntilAsync(async () => await _api.Clinics.ScalarAsync<long>(shard,
            "SELECT count(*) FROM booking_slots WHERE id = $1", oldFree) == 0);
        await Http.WaitUntilAsync(async () => await _api.Clinics.ScalarAsync<long>(shard, "SELECT count(*) FROM bookings WHERE id = $1", rejected) == 0);
        Assert.Equal(1L, await _api.Clinics.ScalarAsync<long>(shard, "SELECT count(*) FROM booking_slots WHERE id = $1", recentFree));
        Assert.Equal(1L, await _api.Clinics.ScalarAsync<long>(shard, "SELECT count(*) FROM booking_slots WHERE id = $1", oldBooked));
        Assert.Equal(1L, await _api.Clinics.ScalarAsync<long>(shard,
            "SELECT count(*) FROM bookings WHERE booking_slot_id = $1 AND status = 'confirmed'", oldBooked));
        Assert.Equal(0L, await _api.Clinics.ScalarAsync<long>(shard, "SELECT count(*) FROM outbox_messages WHERE booking_id = $1", rejected));
        await Http.WaitUntilAsync(async () => (await _api.WaitForCustomerBookingsAsync(inactive, _ => true)).Count == 0);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Gateway.GetAsync($"/bookings/{rejected}", Ct)).StatusCode);
    }

    private async Task<int> ExecuteOnCustomersAsync(string sql, params object[] parameters)
    {
        await using var connection = await app.OpenDatabaseAsync(ResourceNames.CustomersDatabase);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        return await command.ExecuteNonQueryAsync(Ct);
    }
}
