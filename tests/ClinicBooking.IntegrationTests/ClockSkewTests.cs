using System.Net;
using Aspire.Hosting.Testing;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// One clock decides "now": the database's. The fixture runs the cell of <see cref="ClinicBookingApp.SkewedShard"/>
/// with its clock an hour ahead, and the booking's cut-offs and history still follow the database.
/// </summary>
public class ClockSkewTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly BookingApi _api = new(app);

    [Fact]
    public async Task A_cell_whose_clock_runs_an_hour_ahead_books_holds_and_cancels_by_the_databases_clock()
    {
        using var cell = app.CreateServiceClient(ResourceNames.ClinicCell(ClinicBookingApp.SkewedShard));
        var answer = await cell.GetAsync("/alive", Ct);
        // The skew is real: the cell's own clock (its Date header) is an hour ahead.
        Assert.InRange(answer.Headers.Date!.Value - DateTimeOffset.UtcNow,
            ClinicBookingApp.CellClockSkew - TimeSpan.FromMinutes(1), ClinicBookingApp.CellClockSkew + TimeSpan.FromMinutes(1));
        var clinic = await SlotFixtures.CreateAsync(_api.Clinics, shard: ClinicBookingApp.SkewedShard);
        // Starts in 30 minutes by the database's clock: bookable, though "started" by the cell's.
        var slot = (await _api.Clinics.InsertBookingSlotAsync(clinic.Shard, clinic.Id, clinic.Doctor, clinic.TimeSlot,
            DateTimeOffset.UtcNow.AddMinutes(30), TimeSpan.FromMinutes(30)))!.Value;

        var response = await _api.BookAsync(slot, await _api.CreateCustomerAsync());

        // Held (201, or 202 when the verdict took longer than the request waits), then confirmed.
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Accepted });
        var booking = await _api.WaitForDecisionAsync(BookingApi.Id(await response.ReadJsonAsync()));
        Assert.Equal("confirmed", BookingApi.Status(booking));
        var history = booking.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.All(history, at => Assert.InRange(at - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1)));
        Assert.Equal(history.Order(), history);
        // The hold's deadline was set by the database's clock too: two minutes after the request.
        var holdEnds = await _api.Clinics.ScalarAsync<DateTime>(clinic.Shard, "SELECT expires_at FROM bookings WHERE id = $1", BookingApi.Id(booking));
        Assert.InRange(new DateTimeOffset(holdEnds, TimeSpan.Zero) - history[0], TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        // And it can still be cancelled: its appointment has not started.
        Assert.Equal(HttpStatusCode.OK, (await _api.CancelAsync(BookingApi.Id(booking))).StatusCode);
    }
}
