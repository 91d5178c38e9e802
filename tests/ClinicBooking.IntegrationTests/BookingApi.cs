using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>Customers, bookable slots and bookings, through the gateway; plus what a test reads from the shards.</summary>
public sealed class BookingApi(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ClinicApi Clinics { get; } = new(app);

    public HttpClient Gateway => app.Gateway;

    public async Task<long> CreateCustomerAsync(bool active = true)
    {
        var response = await Gateway.PostAsJsonAsync("/customers", new { name = "Booking Bea", email = Http.UniqueEmail("booker") }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.ReadJsonAsync()).GetProperty("id").GetInt64();
        if (!active)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Gateway.DeleteAsync($"/customers/{id}", Ct)).StatusCode);
        }
        return id;
    }

    public async Task<List<long>> CreateCustomersAsync(int count)
    {
        var ids = new List<long>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(20))
        {
            ids.AddRange(await Task.WhenAll(chunk.Select(_ => CreateCustomerAsync())));
        }
        return ids;
    }

    /// <summary>
    /// Free future slots of one new clinic, generated from templates: one doctor per 50 days, one slot per
    /// doctor and day (next year, so none has started).
    /// </summary>
    public async Task<(SlotClinic Clinic, List<long> Slots)> CreateSlotsAsync(int count, int? shard = null)
    {
        var clinic = await SlotFixtures.CreateAsync(Clinics, shard);
        var from = SlotFixtures.NextYear(1, 1);
        var days = Math.Min(count, 50);
        var doctors = new List<long> { clinic.Doctor };
        while (doctors.Count * days < count)
        {
            var doctor = await Clinics.CreateDoctorAsync(clinic.Id, clinic.Specialization);
            await Clinics.CreateTemplateAsync(doctor, clinic.TimeSlot);
            doctors.Add(doctor);
        }
        await Clinics.GenerateAsync(clinic.Id, from, from.AddDays(days - 1));
        var slots = new List<long>();
        foreach (var doctor in doctors)
        {
            slots.AddRange((await Clinics.DoctorSlotsAsync(doctor, from, from.AddDays(days - 1))).Select(s => s.GetProperty("id").GetInt64()));
        }
        Assert.True(slots.Count >= count, $"Generated {slots.Count} slots, wanted {count}.");
        return (clinic, slots.Take(count).ToList());
    }

    public async Task<long> CreateSlotAsync(int? shard = null) => (await CreateSlotsAsync(1, shard)).Slots[0];

    public Task<HttpResponseMessage> BookAsync(long slotId, long customerId, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slotId}/booking")
        {
            Content = JsonContent.Create(new { customerId }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return Gateway.SendAsync(request, Ct);
    }

    public Task<HttpResponseMessage> CancelAsync(long bookingId) => Gateway.DeleteAsync($"/bookings/{bookingId}", Ct);

    public async Task<JsonElement> GetBookingAsync(long bookingId) =>
        await Gateway.GetFromJsonAsync<JsonElement>($"/bookings/{bookingId}", Ct);

    /// <summary>Polls the booking until it has left "pending" (or the timeout passes) and returns it.</summary>
    public async Task<JsonElement> WaitForDecisionAsync(long bookingId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var booking = await GetBookingAsync(bookingId);
            if (booking.GetProperty("status").GetString() != "pending" || DateTime.UtcNow > deadline)
            {
                return booking;
            }
            await Task.Delay(250, Ct);
        }
    }

    /// <summary>The customer's bookings as CustomerService lists them, once <paramref name="done"/> holds (or after 30 s).</summary>
    public async Task<List<JsonElement>> WaitForCustomerBookingsAsync(long customerId, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var page = await Gateway.GetFromJsonAsync<JsonElement>($"/customers/{customerId}/bookings?pageSize=100", Ct);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            if (done(items) || DateTime.UtcNow > deadline)
            {
                return items;
            }
            await Task.Delay(250, Ct);
        }
    }

    public async Task<bool> IsBookedAsync(long slotId) =>
        (await Gateway.GetFromJsonAsync<JsonElement>($"/bookingSlots/{slotId}", Ct)).GetProperty("isBooked").GetBoolean();

    /// <summary>How many bookings of the slot the shard holds, and how many of them are active.</summary>
    public async Task<(long All, long Active)> CountBookingsAsync(int shard, long slotId) =>
        (await Clinics.ScalarAsync<long>(shard, "SELECT count(*) FROM bookings WHERE booking_slot_id = $1", slotId),
         await Clinics.ScalarAsync<long>(shard, "SELECT count(*) FROM bookings WHERE booking_slot_id = $1 AND status IN ('pending', 'confirmed')", slotId));

    public static long Id(JsonElement booking) => booking.GetProperty("id").GetInt64();

    public static string Status(JsonElement booking) => booking.GetProperty("status").GetString()!;
}
