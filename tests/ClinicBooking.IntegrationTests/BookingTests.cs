using Aspire.Hosting.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>Booking a slot through the gateway: the saga runs over the real RabbitMQ to CustomerService and back.</summary>
public class BookingTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly BookingApi _api = new(app);

    [Fact]
    public async Task Booking_a_free_slot_confirms_it_and_lists_it_for_the_customer()
    {
        var customer = await _api.CreateCustomerAsync();
        var slot = await _api.CreateSlotAsync();

        var response = await _api.BookAsync(slot, customer);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var booking = await response.ReadJsonAsync();
        Assert.Equal("confirmed", BookingApi.Status(booking));
        Assert.Equal(customer, booking.GetProperty("customerId").GetInt64());
        Assert.Equal(slot, booking.GetProperty("bookingSlotId").GetInt64());
        Assert.Equal($"/bookings/{BookingApi.Id(booking)}", response.Headers.Location?.OriginalString);
        Assert.Equal(["pending", "confirmed"], booking.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.True(await _api.IsBookedAsync(slot));

        var current = await _api.Gateway.GetFromJsonAsync<JsonElement>($"/bookingSlots/{slot}/booking", Ct);
        Assert.Equal(BookingApi.Id(booking), BookingApi.Id(current));
        Assert.Equal("confirmed", BookingApi.Status(current));

        var listed = await _api.WaitForCustomerBookingsAsync(customer, items => items.Any(b => b.GetProperty("status").GetString() == "confirmed"));
        var entry = Assert.Single(listed);
        Assert.Equal(BookingApi.Id(booking), entry.GetProperty("bookingId").GetInt64());
        Assert.Equal("confirmed", entry.GetProperty("status").GetString());
        Assert.Equal(slot, entry.GetProperty("bookingSlotId").GetInt64());
    }

    [Fact]
    public async Task The_customers_booking_list_shows_times_in_the_clinics_offset_and_date()
    {
        var customer = await _api.CreateCustomerAsync();
        var clinic = await SlotFixtures.CreateAsync(_api.Clinics, timeZone: "America/New_York", start: "20:00", end: "21:00");
        var day = SlotFixtures.NextYear(7, 1); // 20:00 in New York is 00:00 UTC of the next day
        await _api.Clinics.GenerateAsync(clinic.Id, day, day);
        var slot = (await _api.Clinics.DoctorSlotsAsync(clinic.Doctor, day, day)).Single().GetProperty("id").GetInt64();
        var booking = await (await _api.BookAsync(slot, customer)).ReadJsonAsync();

        var listed = Assert.Single(await _api.WaitForCustomerBookingsAsync(customer, items => items.Any(b => b.GetProperty("status").GetString() == "confirmed")));

        Assert.Equal($"{day:yyyy-MM-dd}T20:00:00-04:00", booking.GetProperty("startsAt").GetString());
        Assert.Equal(booking.GetProperty("startsAt").GetString(), listed.GetProperty("startsAt").GetString());
        Assert.Equal(booking.GetProperty("endsAt").GetString(), listed.GetProperty("endsAt").GetString());
        Assert.Equal($"{day:yyyy-MM-dd}", listed.GetProperty("date").GetString());
        Assert.Equal("America/New_York", listed.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task Two_hundred_customers_racing_for_one_slot_leave_exactly_one_booking()
    {
        var (clinic, slots) = await _api.CreateSlotsAsync(1);
        var slot = slots[0];
        var customers = await _api.CreateCustomersAsync(200);

        var responses = await Task.WhenAll(customers.Select(c => _api.BookAsync(slot, c)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.DoesNotContain(statuses, s => s >= 500);
        var winners = responses.Where(r => r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted).ToList();
        var winner = Assert.Single(winners);
        Assert.Equal(199, statuses.Count(s => s == StatusCodes.Conflict));
        foreach (var loser in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await loser.AssertProblemAsync(StatusCodes.Conflict);
        }
        var booking = await _api.WaitForDecisionAsync(BookingApi.Id(await winner.ReadJsonAsync()));
        Assert.Equal("confirmed", BookingApi.Status(booking));
        // Losers never got as far as a booking row: one booking, and it is the active one.
        Assert.Equal((1, 1), await _api.CountBookingsAsync(clinic.Shard, slot));
    }

    [Fact]
    public async Task Two_hundred_concurrent_bookings_of_different_slots_are_all_confirmed()
    {
        var (clinic, slots) = await _api.CreateSlotsAsync(200);
        var customers = await _api.CreateCustomersAsync(200);

        var responses = await Task.WhenAll(slots.Select((slot, i) => _api.BookAsync(slot, customers[i])));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted, $"Got {(int)r.StatusCode}"));
        foreach (var response in responses)
        {
            var booking = await _api.WaitForDecisionAsync(BookingApi.Id(await response.ReadJsonAsync()));
            Assert.Equal("confirmed", BookingApi.Status(booking));
        }
        Assert.Equal(200L, await _api.Clinics.ScalarAsync<long>(clinic.Shard,
            "SELECT count(*) FROM booking_slots WHERE clinic_id = $1 AND customer_id IS NOT NULL", clinic.Id));
        Assert.Equal(200L, await _api.Clinics.ScalarAsync<long>(clinic.Shard,
            "SELECT count(*) FROM bookings WHERE clinic_id = $1 AND status = 'confirmed'", clinic.Id));
    }

    [Fact]
    public async Task An_unknown_customer_is_refused_with_422_and_the_slot_is_free_again()
    {
        var slot = await _api.CreateSlotAsync();

        var response = await _api.BookAsync(slot, customerId: 987_654_321);

        var problem = await response.AssertProblemAsync(StatusCodes.Unprocessable);
        Assert.Contains("does not exist", problem.GetProperty("detail").GetString());
        Assert.Equal("unknown-customer", problem.GetProperty("reason").GetString());
        var rejected = await _api.GetBookingAsync(problem.GetProperty("bookingId").GetInt64());
        Assert.Equal("rejected", BookingApi.Status(rejected));
        Assert.Equal(["pending", "rejected"], rejected.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.False(await _api.IsBookedAsync(slot));

        // Free for real: a known customer books it next.
        var next = await _api.BookAsync(slot, await _api.CreateCustomerAsync());
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
    }

    [Fact]
    public async Task Concurrent_bookings_of_known_unknown_and_inactive_customers_each_get_their_own_verdict()
    {
        // Sent side by side, so the cell asks CustomerService about many of them in one batch message: every
        // booking must still get the verdict about its own customer.
        var (clinic, slots) = await _api.CreateSlotsAsync(60);
        var active = await _api.CreateCustomersAsync(20);
        var inactive = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            inactive.Add(await _api.CreateCustomerAsync(active: false));
        }
        var unknown = Enumerable.Range(0, 20).Select(i => 900_000_000L + i).ToList();
        var customers = active.Concat(inactive).Concat(unknown).ToList();

        var responses = await Task.WhenAll(slots.Select((slot, i) => _api.BookAsync(slot, customers[i])));

        for (var i = 0; i < slots.Count; i++)
        {
            var (expectedStatus, expectedReason) = i < 20 ? ("confirmed", null) : i < 40 ? ("rejected", "inactive-customer") : ("rejected", "unknown-customer");
            Assert.True(responses[i].StatusCode == (i < 20 ? HttpStatusCode.Created : HttpStatusCode.UnprocessableEntity)
                || responses[i].StatusCode == HttpStatusCode.Accepted, $"Got {(int)responses[i].StatusCode} for customer {customers[i]}");
            var body = await responses[i].ReadJsonAsync();
            // Decided by now (201 or 422), or soon (202): either way the booking must end as its customer's verdict says.
            var booking = await _api.WaitForDecisionAsync(body.GetProperty(i < 20 || responses[i].StatusCode == HttpStatusCode.Accepted ? "id" : "bookingId").GetInt64());
            Assert.Equal(customers[i], booking.GetProperty("customerId").GetInt64());
            Assert.Equal(expectedStatus, BookingApi.Status(booking));
            Assert.Equal(expectedReason, booking.GetProperty("reason").GetString());
        }
        Assert.Equal(20L, await _api.Clinics.ScalarAsync<long>(clinic.Shard,
            "SELECT count(*) FROM booking_slots WHERE clinic_id = $1 AND customer_id IS NOT NULL", clinic.Id));
    }

    [Fact]
    public async Task A_deactivated_customer_is_refused_with_422()
    {
        var customer = await _api.CreateCustomerAsync(active: false);
        var slot = await _api.CreateSlotAsync();

        var response = await _api.BookAsync(slot, customer);

        var problem = await response.AssertProblemAsync(StatusCodes.Unprocessable);
        Assert.Equal("inactive-customer", problem.GetProperty("reason").GetString());
        Assert.False(await _api.IsBookedAsync(slot));
        var listed = await _api.WaitForCustomerBookingsAsync(customer, items => items.Any(b => b.GetProperty("status").GetString() == "rejected"));
        Assert.Equal("rejected", Assert.Single(listed).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Repeating_a_request_returns_the_same_booking_and_never_books_twice()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(2);

        // The same key, sent five times at once and then once more.
        var keyed = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _api.BookAsync(slots[0], customer, "key-1")));
        var again = await _api.BookAsync(slots[0], customer, "key-1");
        var ids = new List<long>();
        foreach (var response in keyed.Append(again))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add(BookingApi.Id(await response.ReadJsonAsync()));
        }
        Assert.Single(ids.Distinct());
        Assert.Equal((1, 1), await _api.CountBookingsAsync(clinic.Shard, slots[0]));

        // Without a key, the same slot and customer is the same request too.
        var first = await _api.BookAsync(slots[1], customer);
        var second = await _api.BookAsync(slots[1], customer);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(BookingApi.Id(await first.ReadJsonAsync()), BookingApi.Id(await second.ReadJsonAsync()));
        Assert.Equal((1, 1), await _api.CountBookingsAsync(clinic.Shard, slots[1]));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_refused_with_422()
    {
        var slot = await _api.CreateSlotAsync();
        var first = await _api.BookAsync(slot, await _api.CreateCustomerAsync(), "shared-key");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var reused = await _api.BookAsync(slot, await _api.CreateCustomerAsync(), "shared-key");

        var problem = await reused.AssertProblemAsync(StatusCodes.Unprocessable);
        Assert.Contains("Idempotency-Key", problem.GetProperty("detail").GetString());
        Assert.Equal(BookingApi.Id(await first.ReadJsonAsync()), problem.GetProperty("bookingId").GetInt64());
    }

    [Fact]
    public async Task Cancelling_frees_the_slot_and_keeps_the_history()
    {
        var customer = await _api.CreateCustomerAsync();
        var slot = await _api.CreateSlotAsync();
        var booked = await (await _api.BookAsync(slot, customer)).ReadJsonAsync();

        var cancel = await _api.CancelAsync(BookingApi.Id(booked));

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await cancel.ReadJsonAsync();
        Assert.Equal(BookingApi.Id(booked), BookingApi.Id(cancelled));
        Assert.Equal(["pending", "confirmed", "cancelled"],
            cancelled.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.False(await _api.IsBookedAsync(slot));
        // The slot has no active booking now; the cancelled one stays readable at its own address.
        await (await _api.Gateway.GetAsync($"/bookingSlots/{slot}/booking", Ct)).AssertProblemAsync(StatusCodes.NotFound);
        Assert.Equal("cancelled", BookingApi.Status(await _api.GetBookingAsync(BookingApi.Id(booked))));
        var listed = await _api.WaitForCustomerBookingsAsync(customer, items => items.Any(b => b.GetProperty("status").GetString() == "cancelled"));
        Assert.Equal("cancelled", Assert.Single(listed).GetProperty("status").GetString());

        // The slot can be booked again, and then shows the new booking as current.
        var rebooked = await _api.BookAsync(slot, await _api.CreateCustomerAsync());
        Assert.Equal(HttpStatusCode.Created, rebooked.StatusCode);
        var current = await _api.Gateway.GetFromJsonAsync<JsonElement>($"/bookingSlots/{slot}/booking", Ct);
        Assert.Equal(BookingApi.Id(await rebooked.ReadJsonAsync()), BookingApi.Id(current));
    }

    [Fact]
    public async Task A_replayed_cancel_changes_nothing_and_never_cancels_the_next_customers_booking()
    {
        var slot = await _api.CreateSlotAsync();
        var first = BookingApi.Id(await (await _api.BookAsync(slot, await _api.CreateCustomerAsync())).ReadJsonAsync());
        Assert.Equal(HttpStatusCode.OK, (await _api.CancelAsync(first)).StatusCode);
        var cancelledOnce = await _api.GetBookingAsync(first);
        var second = await (await _api.BookAsync(slot, await _api.CreateCustomerAsync())).ReadJsonAsync();
        Assert.Equal("confirmed", BookingApi.Status(second));

        // The first cancel again, as a client retrying after a lost answer would send it.
        var replay = await _api.CancelAsync(first);

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(cancelledOnce.GetRawText(), (await replay.ReadJsonAsync()).GetRawText());
        Assert.Equal("confirmed", BookingApi.Status(await _api.GetBookingAsync(BookingApi.Id(second))));
        Assert.True(await _api.IsBookedAsync(slot));
        // The slot path does not cancel at all: it cannot say which booking it means.
        var bySlot = await _api.Gateway.DeleteAsync($"/bookingSlots/{slot}/booking", Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, bySlot.StatusCode);
        Assert.Equal("confirmed", BookingApi.Status(await _api.GetBookingAsync(BookingApi.Id(second))));
    }

    [Fact]
    public async Task Only_an_active_booking_can_be_cancelled()
    {
        var rejected = await (await _api.BookAsync(await _api.CreateSlotAsync(), await _api.CreateCustomerAsync(active: false))).AssertProblemAsync(StatusCodes.Unprocessable);
        var problem = await (await _api.CancelAsync(rejected.GetProperty("bookingId").GetInt64())).AssertProblemAsync(StatusCodes.Conflict);
        Assert.Contains("rejected", problem.GetProperty("detail").GetString());
        await (await _api.CancelAsync(((987654L << 6) << 30) | 1)).AssertProblemAsync(StatusCodes.NotFound); // shard 0, no such clinic
    }

    [Fact]
    public async Task Bad_requests_get_4xx_problems()
    {
        var customer = await _api.CreateCustomerAsync();
        var slot = await _api.CreateSlotAsync();

        var noCustomer = await _api.Gateway.PutAsync($"/bookingSlots/{slot}/booking", Http.Json("{}"), Ct);
        Assert.Equal(["customerId"], (await noCustomer.AssertProblemAsync(StatusCodes.BadRequest)).FieldErrors());
        var badJson = await _api.Gateway.PutAsync($"/bookingSlots/{slot}/booking", Http.Json("{\"customerId\":"), Ct);
        await badJson.AssertProblemAsync(StatusCodes.BadRequest);
        var badKey = await _api.BookAsync(slot, customer, new string('k', 201));
        Assert.Equal(["Idempotency-Key"], (await badKey.AssertProblemAsync(StatusCodes.BadRequest)).FieldErrors());
        var badStatus = await _api.Gateway.GetAsync($"/customers/{customer}/bookings?status=booked", Ct);
        Assert.Equal(["status"], (await badStatus.AssertProblemAsync(StatusCodes.BadRequest)).FieldErrors());
        Assert.False(await _api.IsBookedAsync(slot));

        // A slot that was removed, or never existed, is not there: 404, as for every unknown id. One that has
        // started is there and not bookable: 409.
        var (clinic, slots) = await _api.CreateSlotsAsync(2);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.Gateway.DeleteAsync($"/bookingSlots/{slots[0]}", Ct)).StatusCode);
        var removed = await _api.BookAsync(slots[0], customer);
        Assert.Contains("removed", (await removed.AssertProblemAsync(StatusCodes.NotFound)).GetProperty("detail").GetString());
        var unknown = await _api.BookAsync(slots[1] + 1_000_000, customer);
        await unknown.AssertProblemAsync(StatusCodes.NotFound);
        var past = await _api.Clinics.InsertBookingSlotAsync(clinic.Shard, clinic.Id, clinic.Doctor, clinic.TimeSlot,
            DateTimeOffset.UtcNow.AddDays(-3), TimeSpan.FromMinutes(30));
        var started = await _api.BookAsync(past!.Value, customer);
        Assert.Contains("started", (await started.AssertProblemAsync(StatusCodes.Conflict)).GetProperty("detail").GetString());

        var unknownBooking = await _api.Gateway.GetAsync($"/bookingSlots/{slots[1]}/booking", Ct);
        await unknownBooking.AssertProblemAsync(StatusCodes.NotFound);
        var unknownCustomer = await _api.Gateway.GetAsync("/customers/987654321/bookings", Ct);
        await unknownCustomer.AssertProblemAsync(StatusCodes.NotFound);
    }

    [Fact]
    public async Task The_database_refuses_a_second_active_booking_of_a_slot()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(1);
        var booking = await (await _api.BookAsync(slots[0], customer)).ReadJsonAsync();

        var refused = await _api.Clinics.RefusedAsync(clinic.Shard, """
            INSERT INTO bookings (clinic_id, booking_slot_id, doctor_id, starts_at, ends_at, customer_id, status, revision, created_at, expires_at)
            SELECT clinic_id, booking_slot_id, doctor_id, starts_at, ends_at, customer_id + 1, 'pending', 1, now(), now() + interval '1 minute'
              FROM bookings WHERE id = $1
            """, BookingApi.Id(booking));
        Assert.Equal("ux_bookings_active_slot", refused.ConstraintName);

        // Nor may a decided booking go back: a confirmed booking never becomes pending or rejected.
        var backwards = await _api.Clinics.RefusedAsync(clinic.Shard,
            "UPDATE bookings SET status = 'rejected', confirmed_at = NULL, rejected_at = now() WHERE id = $1", BookingApi.Id(booking));
        Assert.Equal("ck_bookings_forward_only", backwards.ConstraintName);
    }

    [Fact]
    public async Task Duplicate_deliveries_change_nothing()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(1);
        var booking = await (await _api.BookAsync(slots[0], customer)).ReadJsonAsync();
        var id = BookingApi.Id(booking);
        Assert.Equal(HttpStatusCode.OK, (await _api.CancelAsync(id)).StatusCode);
        await _api.WaitForCustomerBookingsAsync(customer, items => items.Any(b => b.GetProperty("status").GetString() == "cancelled"));
        var before = await _api.GetBookingAsync(id);

        // Send every message of this booking again, as a re-driver would after a crash between publish and
        // stamp: the verification (whose answer comes back again), "confirmed" after "cancelled", and "cancelled".
        var resent = await _api.Clinics.ExecuteAsync(clinic.Shard,
            "UPDATE outbox_messages SET sent_at = NULL WHERE booking_id = $1", id);
        Assert.Equal(3, resent);
        await Http.WaitUntilAsync(async () => await _api.Clinics.ScalarAsync<long>(clinic.Shard,
            "SELECT count(*) FROM outbox_messages WHERE booking_id = $1 AND sent_at IS NULL", id) == 0);
        // Give the consumers time to take the duplicates; whatever they do must not show.
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);

        var after = await _api.GetBookingAsync(id);
        Assert.Equal(before.GetRawText(), after.GetRawText());
        Assert.Equal((1, 0), await _api.CountBookingsAsync(clinic.Shard, slots[0]));
        Assert.False(await _api.IsBookedAsync(slots[0]));
        // No new message either: the repeated "verified" answer found nothing pending to confirm.
        Assert.Equal(3L, await _api.Clinics.ScalarAsync<long>(clinic.Shard,
            "SELECT count(*) FROM outbox_messages WHERE booking_id = $1", id));
        var listed = await _api.WaitForCustomerBookingsAsync(customer, _ => false);
        Assert.Equal("cancelled", Assert.Single(listed).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Questions_that_can_never_be_sent_are_parked_counted_and_hold_back_nothing()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(102);
        // 101 bookings whose slot is gone (booked, cancelled, then the free slot removed): their questions name
        // no slot any more, so they can never be sent. More than one re-driver batch (100) of them comes first.
        var orphans = new List<long>();
        foreach (var chunk in slots.Take(101).Chunk(20))
        {
            orphans.AddRange(await Task.WhenAll(chunk.Select(async slot =>
            {
                var id = BookingApi.Id(await (await _api.BookAsync(slot, customer)).ReadJsonAsync());
                Assert.Equal(HttpStatusCode.OK, (await _api.CancelAsync(id)).StatusCode);
                Assert.Equal(HttpStatusCode.NoContent, (await _api.Gateway.DeleteAsync($"/bookingSlots/{slot}", Ct)).StatusCode);
                return id;
            })));
        }
        var live = BookingApi.Id(await (await _api.BookAsync(slots[101], customer)).ReadJsonAsync());
        var all = orphans.Append(live).ToArray();

        // Every message of these bookings unsent again, as after a crash: the re-driver takes them oldest first.
        // (A booking cancelled while still pending has no "confirmed" event, so the count is read, not assumed.)
        // First every first send is stamped (stamps trail the broker's confirms by a batch), or a late stamp
        // would mark a reset row sent again.
        await Http.WaitUntilAsync(async () => await _api.Clinics.ScalarAsync<long>(clinic.Shard,
            "SELECT count(*) FROM outbox_messages WHERE booking_id = ANY($1) AND sent_at IS NULL", all) == 0);
        var messages = await _api.Clinics.ExecuteAsync(clinic.Shard, "UPDATE outbox_messages SET sent_at = NULL WHERE booking_id = ANY($1)", all);
        Assert.True(messages >= 101 * 2 + 2, $"Only {messages} messages.");

        await Http.WaitUntilAsync(async () => await _api.Clinics.ScalarAsync<long>(clinic.Shard,
            "SELECT count(*) FROM outbox_messages WHERE booking_id = ANY($1) AND sent_at IS NULL AND parked_at IS NULL", all) == 0);
        // The orphans' questions are parked, with a reason, and not claimed sent; everything else went out.
        Assert.Equal(101L, await _api.Clinics.ScalarAsync<long>(clinic.Shard, """
            SELECT count(*) FROM outbox_messages
             WHERE booking_id = ANY($1) AND message_type = 'VerifyCustomer' AND parked_at IS NOT NULL AND parked_reason IS NOT NULL AND sent_at IS NULL
            """, orphans.ToArray()));
        Assert.Equal(messages - 101L, await _api.Clinics.ScalarAsync<long>(clinic.Shard,
            "SELECT count(*) FROM outbox_messages WHERE booking_id = ANY($1) AND sent_at IS NOT NULL", all));
        using var cell = app.CreateServiceClient(ResourceNames.ClinicCell(clinic.Shard));
        var outbox = (await cell.GetFromJsonAsync<JsonElement>("/operations/outbox", Ct)).EnumerateArray()
            .Single(s => s.GetProperty("shard").GetInt32() == clinic.Shard);
        Assert.True(outbox.GetProperty("parked").GetInt64() >= 101);
        Assert.Equal("confirmed", BookingApi.Status(await _api.GetBookingAsync(live)));
    }

    [Fact]
    public async Task The_shard_refuses_an_outbox_row_that_names_no_booking_or_no_known_message()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(1);
        var id = BookingApi.Id(await (await _api.BookAsync(slots[0], customer)).ReadJsonAsync());
        const string Insert = """
            INSERT INTO outbox_messages (message_id, message_type, clinic_id, booking_id, created_at)
            VALUES (gen_random_uuid(), $1, $2, $3, now())
            """;

        var noBooking = await _api.Clinics.RefusedAsync(clinic.Shard, Insert, "VerifyCustomer", clinic.Id, id + 1_000_000);
        var unknownKind = await _api.Clinics.RefusedAsync(clinic.Shard, Insert, "SomethingElse", clinic.Id, id);

        Assert.Equal(Npgsql.PostgresErrorCodes.ForeignKeyViolation, noBooking.SqlState);
        Assert.Equal(Npgsql.PostgresErrorCodes.CheckViolation, unknownKind.SqlState);
    }

    [Fact]
    public async Task A_booking_is_one_trace_from_the_gateway_through_CustomerService_and_back()
    {
        var customer = await _api.CreateCustomerAsync();
        var (clinic, slots) = await _api.CreateSlotsAsync(1);
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        var request = new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slots[0]}/booking")
        {
            Content = JsonContent.Create(new { customerId = customer }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");

        var response = await _api.Gateway.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = BookingApi.Id(await response.ReadJsonAsync());
        // The question to CustomerService was written by the request; the "confirmed" event by the consumer
        // of CustomerService's answer. Both carry the client's trace, so the trace crossed RabbitMQ both ways.
        var traces = new List<string>();
        await using (var connection = await _api.Clinics.OpenShardAsync(clinic.Shard))
        await using (var command = new Npgsql.NpgsqlCommand(
            "SELECT message_type || ' ' || trace_parent FROM outbox_messages WHERE booking_id = $1 ORDER BY id", connection))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                traces.Add(reader.GetString(0));
            }
        }
        Assert.Equal(2, traces.Count);
        Assert.StartsWith("VerifyCustomer ", traces[0]);
        Assert.StartsWith("BookingStatusChanged ", traces[1]);
        Assert.All(traces, t => Assert.Contains($"-{traceId}-", t));
    }
}

/// <summary>The HTTP statuses the tests compare against, as ints.</summary>
internal static class StatusCodes
{
    public const int BadRequest = 400;
    public const int NotFound = 404;
    public const int Conflict = 409;
    public const int Unprocessable = 422;
}
