using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// GET /clinics/{id}/patients: a clinic's staff read the contact details of the customers who booked there
/// (for the day's schedule), and of no one else.
/// </summary>
public sealed class ClinicPatientsTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Staff_see_who_booked_at_their_clinic_and_nobody_else()
    {
        var clinics = new ClinicApi(app);
        var clinic = await SlotFixtures.CreateAsync(clinics, shard: 0);
        var other = await SlotFixtures.CreateAsync(clinics, shard: 0);
        var day = SlotFixtures.NextYear(5, 4);
        await clinics.GenerateAsync(clinic.Id, day, day);
        await clinics.GenerateAsync(other.Id, day, day);
        var slot = (await clinics.DoctorSlotsAsync(clinic.Doctor, day, day))[0].GetProperty("id").GetInt64();
        var otherSlot = (await clinics.DoctorSlotsAsync(other.Doctor, day, day))[0].GetProperty("id").GetInt64();

        var booked = await Tokens.NewCustomerAsync(app, "Bea Booked", Ct);
        var elsewhere = await Tokens.NewCustomerAsync(app, "Eli Elsewhere", Ct);
        var never = await Tokens.NewCustomerAsync(app, "Nat Never", Ct);
        await BookAsync(slot, booked.Token);
        await BookAsync(otherSlot, elsewhere.Token);
        var staff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, clinic.Id, Ct);

        // The booking reaches CustomerService's read model within moments.
        var url = $"/clinics/{clinic.Id}/patients?id={booked.CustomerId}&id={elsewhere.CustomerId}&id={never.CustomerId}";
        List<JsonElement> patients = [];
        await Http.WaitUntilAsync(async () =>
        {
            patients = await GetAsync(url, staff);
            return patients.Count > 0;
        });
        var patient = Assert.Single(patients);
        Assert.Equal(booked.CustomerId, patient.GetProperty("id").GetInt64());
        Assert.Equal("Bea Booked", patient.GetProperty("name").GetString());
        Assert.Equal(booked.Email, patient.GetProperty("email").GetString());
        Assert.Equal("+44 20 7946 0000", patient.GetProperty("phone").GetString());

        // The other clinic's patient is not this clinic's: staff of this clinic never see them.
        Assert.Empty(await GetAsync($"/clinics/{clinic.Id}/patients?id={elsewhere.CustomerId}", staff));
        // ...and this clinic's staff cannot ask as the other clinic.
        using var refused = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/clinics/{other.Id}/patients?id={elsewhere.CustomerId}").As(staff), Ct);
        await refused.AssertProblemAsync(404);
    }

    /// <summary>
    /// Issue 26, finding 1: staff booked a slot for any customer id, cancelled it, and then read that person's
    /// contact details; the refusal told an unknown id from an inactive one. Now a desk booking needs the
    /// person to be the clinic's patient, which takes their email and phone together, and every miss reads alike.
    /// </summary>
    [Fact]
    public async Task Staff_cannot_reach_a_customer_by_id_alone_and_misses_do_not_say_who_exists()
    {
        var clinics = new ClinicApi(app);
        var clinic = await SlotFixtures.CreateAsync(clinics, shard: 0);
        var day = SlotFixtures.NextYear(5, 11);
        await clinics.GenerateAsync(clinic.Id, day, day.AddDays(6));
        var slots = (await clinics.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(6))).Select(s => s.GetProperty("id").GetInt64()).ToList();
        var stranger = await Tokens.NewCustomerAsync(app, "Sue Stranger", Ct);
        var inactive = await Tokens.NewCustomerAsync(app, "Ian Inactive", Ct);
        (await app.Gateway.DeleteAsync($"/customers/{inactive.CustomerId}", Ct)).EnsureSuccessStatusCode();
        var staff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, clinic.Id, Ct);

        // Booking by id alone is refused, in the same words for a real customer, an inactive one and no one.
        var details = new List<string>();
        foreach (var (customerId, slot) in new[] { (stranger.CustomerId, slots[0]), (inactive.CustomerId, slots[1]), (987_654_321L, slots[2]) })
        {
            using var refused = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slot}/booking", staff, new { customerId });
            var problem = await refused.AssertProblemAsync(422);
            Assert.Equal("customer-not-verified", problem.GetProperty("reason").GetString());
            details.Add(problem.GetProperty("detail").GetString()!.Replace(customerId.ToString(System.Globalization.CultureInfo.InvariantCulture), "N"));
        }
        Assert.Single(details.Distinct());
        Assert.Empty(await GetAsync($"/clinics/{clinic.Id}/patients?id={stranger.CustomerId}", staff));

        // A lookup needs the email and the phone together; every miss answers the same 404.
        var misses = new List<string>();
        foreach (var body in new object[]
        {
            new { email = stranger.Email, phone = "+44 20 7946 9999" },
            new { email = Http.UniqueEmail("nobody"), phone = "+44 20 7946 0000" },
            new { email = inactive.Email, phone = "+44 20 7946 0000" },
        })
        {
            using var miss = await SendAsync(HttpMethod.Post, $"/clinics/{clinic.Id}/patients/lookup", staff, body);
            misses.Add((await miss.AssertProblemAsync(404)).GetProperty("detail").GetString()!);
        }
        Assert.Single(misses.Distinct());
        Assert.Empty(await GetAsync($"/clinics/{clinic.Id}/patients?id={stranger.CustomerId}", staff));

        // The person at the desk tells both: they are the clinic's patient, and staff book for them.
        using var found = await SendAsync(HttpMethod.Post, $"/clinics/{clinic.Id}/patients/lookup", staff, new { email = stranger.Email.ToUpperInvariant(), phone = "+442079460000" });
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(stranger.CustomerId, (await found.ReadJsonAsync()).GetProperty("id").GetInt64());
        using var booked = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slots[3]}/booking", staff, new { customerId = stranger.CustomerId });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        Assert.Equal(stranger.CustomerId, Assert.Single(await GetAsync($"/clinics/{clinic.Id}/patients?id={stranger.CustomerId}", staff)).GetProperty("id").GetInt64());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, object body) =>
        await app.Anonymous.SendAsync(new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) }.As(token), Ct);

    [Fact]
    public async Task Asking_for_no_one_or_too_many_is_a_400_that_says_so()
    {
        var clinic = await new ClinicApi(app).CreateClinicIdAsync(shard: 0);
        var none = await app.Gateway.GetAsync($"/clinics/{clinic}/patients", Ct);
        Assert.Contains("at least one", (await none.AssertProblemAsync(400)).ToString());
        var ids = string.Join("&", Enumerable.Range(1, 101).Select(i => $"id={i}"));
        var many = await app.Gateway.GetAsync($"/clinics/{clinic}/patients?{ids}", Ct);
        Assert.Contains("At most 100", (await many.AssertProblemAsync(400)).ToString());
    }

    private async Task BookAsync(long slotId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slotId}/booking") { Content = JsonContent.Create(new { }) }.As(token);
        using var response = await app.Anonymous.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<List<JsonElement>> GetAsync(string url, string token)
    {
        using var response = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, url).As(token), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).EnumerateArray().ToList();
    }
}
