using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Invoices and desk payments, end to end through the gateway: a priced booking's confirmation reaches
/// PaymentService over RabbitMQ, which bills it; its parties see the invoice and nobody else does; the clinic adds
/// a charge and takes the money at its desk; a patient pays by card on the provider's page; a booking cancelled
/// before it was paid leaves a void invoice.
/// </summary>
public sealed class PaymentTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ClinicApi _api = new(app);

    [Fact]
    public async Task A_priced_booking_is_billed_to_its_customer_paid_at_the_clinics_desk_and_seen_by_its_parties_only()
    {
        var (clinic, slots) = await PricedSlotsAsync(45.50m);
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Paula Payer", Ct);
        var (_, stranger, _) = await Tokens.NewCustomerAsync(app, "Oscar Other", Ct);
        var staff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, clinic.Id, Ct);
        var otherStaff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, await _api.CreateClinicIdAsync(), Ct);

        var first = await BookAsync(slots[0], patient);
        await BookAsync(slots[1], patient);
        var invoices = await WaitForInvoicesAsync(patient, 2);
        var invoice = invoices.Single(i => BookingOf(i) == first);
        Assert.Equal((45.50m, 0m, 45.50m, "open", "EUR"), (invoice.GetProperty("total").GetDecimal(), invoice.GetProperty("paid").GetDecimal(),
            invoice.GetProperty("outstanding").GetDecimal(), invoice.GetProperty("status").GetString(), invoice.GetProperty("currency").GetString()));
        var id = invoice.GetProperty("id").GetInt64();

        // Its parties see it; another customer and another clinic's staff do not, and administrators are refused.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/invoices/{id}", staff)).StatusCode);
        Assert.Equal(2, (await (await SendAsync(HttpMethod.Get, $"/invoices?clinicId={clinic.Id}", staff)).ReadJsonAsync())
            .EnumerateArray().Count(i => i.GetProperty("customerId").GetInt64() == invoice.GetProperty("customerId").GetInt64()));
        await (await SendAsync(HttpMethod.Get, $"/invoices/{id}", stranger)).AssertProblemAsync(404);
        await (await SendAsync(HttpMethod.Get, $"/invoices/{id}", otherStaff)).AssertProblemAsync(404);
        await (await SendAsync(HttpMethod.Get, $"/invoices/{id}", app.AdministratorToken)).AssertProblemAsync(403);
        Assert.Empty((await (await SendAsync(HttpMethod.Get, "/invoices", stranger)).ReadJsonAsync()).EnumerateArray());

        // The doctor adds an X-ray to the first; the patient cannot, nor can another clinic.
        await (await SendAsync(HttpMethod.Post, $"/invoices/{id}/lines", patient, new { description = "X-ray", amount = 30m })).AssertProblemAsync(403);
        await (await SendAsync(HttpMethod.Post, $"/invoices/{id}/lines", otherStaff, new { description = "X-ray", amount = 30m })).AssertProblemAsync(404);
        using (var added = await SendAsync(HttpMethod.Post, $"/invoices/{id}/lines", staff, new { description = "X-ray", amount = 30m }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            Assert.Equal(75.50m, (await added.ReadJsonAsync()).GetProperty("total").GetDecimal());
        }

        // One payment at the desk for both appointments (a retry with the same key records it once).
        var both = new { allocations = invoices.Select(i => new { invoiceId = i.GetProperty("id").GetInt64() }).ToArray() };
        var key = Guid.NewGuid().ToString("N");
        using var paid = await SendAsync(HttpMethod.Post, "/payments/desk", staff, both, key);
        Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        var payment = await paid.ReadJsonAsync();
        Assert.Equal(121.00m, payment.GetProperty("amount").GetDecimal());
        using var again = await SendAsync(HttpMethod.Post, "/payments/desk", staff, both, key);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(payment.GetProperty("id").GetInt64(), (await again.ReadJsonAsync()).GetProperty("id").GetInt64());
        // The key on another payment is refused, not taken for the first.
        await (await SendAsync(HttpMethod.Post, "/payments/desk", staff, new { allocations = new[] { new { invoiceId = id } } }, key)).AssertProblemAsync(409);
        foreach (var settled in await WaitForInvoicesAsync(patient, 2))
        {
            Assert.Equal(("paid", 0m), (settled.GetProperty("status").GetString(), settled.GetProperty("outstanding").GetDecimal()));
            Assert.Equal(settled.GetProperty("total").GetDecimal(), settled.GetProperty("payments").EnumerateArray().Sum(p => p.GetProperty("amount").GetDecimal()));
        }
        // Nothing more is owed: another payment is refused.
        await (await SendAsync(HttpMethod.Post, "/payments/desk", staff, both)).AssertProblemAsync(409);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/payments/{payment.GetProperty("id").GetInt64()}", patient)).StatusCode);
        await (await SendAsync(HttpMethod.Get, $"/payments/{payment.GetProperty("id").GetInt64()}", stranger)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task A_booking_cancelled_before_it_was_paid_leaves_a_void_invoice_and_a_free_one_none()
    {
        var (_, slots) = await PricedSlotsAsync(60m);
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Carl Cancel", Ct);
        var booking = await BookAsync(slots[0], patient);
        Assert.Equal("open", (await WaitForInvoicesAsync(patient, 1))[0].GetProperty("status").GetString());

        using (var cancelled = await SendAsync(HttpMethod.Delete, $"/bookings/{booking}", patient))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }
        await Http.WaitUntilAsync(async () => (await WaitForInvoicesAsync(patient, 1))[0].GetProperty("status").GetString() == "void");
        Assert.Equal(0m, (await WaitForInvoicesAsync(patient, 1))[0].GetProperty("outstanding").GetDecimal());

        // A free appointment is never billed: after it, a priced one's invoice is the only new one.
        var (_, free) = await PricedSlotsAsync(0m);
        await BookAsync(free[0], patient);
        var (_, priced) = await PricedSlotsAsync(10m);
        var later = await BookAsync(priced[0], patient);
        var all = await WaitForInvoicesAsync(patient, 2);
        Assert.Contains(all, i => BookingOf(i) == later);
        Assert.Contains(all, i => BookingOf(i) == booking);
    }

    [Fact]
    public async Task A_paid_booking_cancelled_under_the_clinics_policy_becomes_credit_that_settles_the_next_invoice_there()
    {
        var (clinic, slots) = await PricedSlotsAsync(40m);
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Clara Credit", Ct);
        var (_, stranger, _) = await Tokens.NewCustomerAsync(app, "Sid Stranger", Ct);
        var staff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, clinic.Id, Ct);
        var otherStaff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, await _api.CreateClinicIdAsync(), Ct);

        // The clinic credits cancellations made at least two days ahead; the policy is public, set by its staff only.
        await (await SendAsync(HttpMethod.Put, $"/payment-policies/{clinic.Id}", patient, new { cancellationNoticeHours = 48 })).AssertProblemAsync(403);
        await (await SendAsync(HttpMethod.Put, $"/payment-policies/{clinic.Id}", otherStaff, new { cancellationNoticeHours = 48 })).AssertProblemAsync(404);
        using (var set = await SendAsync(HttpMethod.Put, $"/payment-policies/{clinic.Id}", staff, new { cancellationNoticeHours = 48 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }
        using (var policy = await app.Anonymous.GetAsync($"/payment-policies/{clinic.Id}", Ct))
        {
            Assert.Equal(48, (await policy.ReadJsonAsync()).GetProperty("cancellationNoticeHours").GetInt32());
        }

        // Paid at the desk, then cancelled months ahead: the 40.00 becomes the patient's credit at this clinic.
        var first = await BookAsync(slots[0], patient);
        var invoice = (await WaitForInvoicesAsync(patient, 1))[0].GetProperty("id").GetInt64();
        using (var paid = await SendAsync(HttpMethod.Post, "/payments/desk", staff, new { allocations = new[] { new { invoiceId = invoice } } }))
        {
            Assert.Equal(HttpStatusCode.Created, paid.StatusCode);
        }
        using (var cancelled = await SendAsync(HttpMethod.Delete, $"/bookings/{first}", patient))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }
        JsonElement credit = default;
        await Http.WaitUntilAsync(async () =>
        {
            credit = await (await SendAsync(HttpMethod.Get, "/credit", patient)).ReadJsonAsync();
            return credit.GetArrayLength() == 1 && credit[0].GetProperty("balance").GetDecimal() == 40m;
        });
        Assert.Equal(clinic.Id, credit[0].GetProperty("clinicId").GetInt64());
        Assert.Equal(["credit-note"], credit[0].GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        // The clinic's staff see it; another customer and another clinic's staff do not.
        var customerId = credit[0].GetProperty("customerId").GetInt64();
        Assert.Equal(40m, (await (await SendAsync(HttpMethod.Get, $"/credit?clinicId={clinic.Id}&customerId={customerId}", staff)).ReadJsonAsync())[0].GetProperty("balance").GetDecimal());
        await (await SendAsync(HttpMethod.Get, $"/credit?clinicId={clinic.Id}&customerId={customerId}", otherStaff)).AssertProblemAsync(404);
        Assert.Equal(0, (await (await SendAsync(HttpMethod.Get, "/credit", stranger)).ReadJsonAsync()).GetArrayLength());

        // The next booking there is billed and paid from the credit at once: nothing is owed, and the credit is spent.
        var second = await BookAsync(slots[1], patient);
        await Http.WaitUntilAsync(async () => (await WaitForInvoicesAsync(patient, 2)).Any(i => BookingOf(i) == second && i.GetProperty("status").GetString() == "paid"));
        var next = (await WaitForInvoicesAsync(patient, 2)).Single(i => BookingOf(i) == second);
        Assert.Equal((40m, 0m), (next.GetProperty("paid").GetDecimal(), next.GetProperty("outstanding").GetDecimal()));
        Assert.Equal(["credit"], next.GetProperty("payments").EnumerateArray().Select(p => p.GetProperty("method").GetString()));
        credit = await (await SendAsync(HttpMethod.Get, "/credit", patient)).ReadJsonAsync();
        Assert.Equal(0m, credit[0].GetProperty("balance").GetDecimal());
        Assert.Equal(["applied", "credit-note"], credit[0].GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task A_patient_pays_two_invoices_with_one_card_payment_on_the_providers_page_and_only_they_may()
    {
        var (clinic, slots) = await PricedSlotsAsync(30m);
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Cara Card", Ct);
        var (_, stranger, _) = await Tokens.NewCustomerAsync(app, "Sam Stranger", Ct);
        var staff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, clinic.Id, Ct);
        var otherStaff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, await _api.CreateClinicIdAsync(), Ct);
        await BookAsync(slots[0], patient);
        await BookAsync(slots[1], patient);
        var both = new { invoiceIds = (await WaitForInvoicesAsync(patient, 2)).Select(i => i.GetProperty("id").GetInt64()).ToArray() };

        // Only the invoices' customer pays them by card: another customer is told they do not exist; staff and administrators may not.
        await (await SendAsync(HttpMethod.Post, "/checkouts", stranger, both)).AssertProblemAsync(404);
        await (await SendAsync(HttpMethod.Post, "/checkouts", staff, both)).AssertProblemAsync(403);
        await (await SendAsync(HttpMethod.Post, "/checkouts", app.AdministratorToken, both)).AssertProblemAsync(403);

        var key = Guid.NewGuid().ToString("N");
        using var opened = await SendAsync(HttpMethod.Post, "/checkouts", patient, both, key);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var checkout = await opened.ReadJsonAsync();
        var id = checkout.GetProperty("id").GetInt64();
        Assert.Equal((60m, "open"), (checkout.GetProperty("amount").GetDecimal(), checkout.GetProperty("status").GetString()));
        var page = new Uri(checkout.GetProperty("paymentUrl").GetString()!);
        Assert.Equal(app.Gateway.BaseAddress!.Authority, page.Authority);
        using (var retried = await SendAsync(HttpMethod.Post, "/checkouts", patient, both, key))
        {
            Assert.Equal((HttpStatusCode.OK, id), (retried.StatusCode, (await retried.ReadJsonAsync()).GetProperty("id").GetInt64()));
        }

        // The provider's page, through the gateway: the decline card is refused and says so; the success card pays.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        Assert.Contains("Pay by card", await browser.GetStringAsync(page, Ct));
        using (var declined = await browser.PostAsync(page, new FormUrlEncodedContent([new("card", "4000 0000 0000 0002")]), Ct))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
            Assert.Contains("Your card was declined", await declined.Content.ReadAsStringAsync(Ct));
        }
        using (var paid = await browser.PostAsync(page, new FormUrlEncodedContent([new("card", "4242 4242 4242 4242")]), Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
            Assert.Equal($"{app.WebAppUrl.TrimEnd('/')}/checkouts/{id}", paid.Headers.Location!.ToString());
        }

        // The provider's signed webhook reaches PaymentService through the gateway: paid, both invoices settled by one card payment.
        JsonElement settled = default;
        await Http.WaitUntilAsync(async () =>
        {
            settled = await (await SendAsync(HttpMethod.Get, $"/checkouts/{id}", patient)).ReadJsonAsync();
            return settled.GetProperty("status").GetString() == "paid";
        });
        Assert.Equal(JsonValueKind.Null, settled.GetProperty("paymentUrl").ValueKind);
        var paymentId = settled.GetProperty("paymentId").GetInt64();
        foreach (var invoice in await WaitForInvoicesAsync(patient, 2))
        {
            Assert.Equal(("paid", 0m), (invoice.GetProperty("status").GetString(), invoice.GetProperty("outstanding").GetDecimal()));
            var share = Assert.Single(invoice.GetProperty("payments").EnumerateArray());
            Assert.Equal((paymentId, "card", 30m), (share.GetProperty("paymentId").GetInt64(), share.GetProperty("method").GetString(), share.GetProperty("amount").GetDecimal()));
        }
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/checkouts/{id}", staff)).StatusCode);
        await (await SendAsync(HttpMethod.Get, $"/checkouts/{id}", stranger)).AssertProblemAsync(404);
        await (await SendAsync(HttpMethod.Get, $"/checkouts/{id}", otherStaff)).AssertProblemAsync(404);
        await (await SendAsync(HttpMethod.Get, $"/payments/{paymentId}", otherStaff)).AssertProblemAsync(404);
        // Paying again finds nothing owed.
        await (await SendAsync(HttpMethod.Post, "/checkouts", patient, both)).AssertProblemAsync(409);

        // The clinic gives 12.50 of one invoice back as credit, then refunds it to the card: only its staff may.
        var first = both.invoiceIds[0];
        var note = new { amount = 12.50m, reason = "Treatment cut short" };
        await (await SendAsync(HttpMethod.Post, $"/invoices/{first}/credit-notes", patient, note)).AssertProblemAsync(403);
        await (await SendAsync(HttpMethod.Post, $"/invoices/{first}/credit-notes", otherStaff, note)).AssertProblemAsync(404);
        using (var issued = await SendAsync(HttpMethod.Post, $"/invoices/{first}/credit-notes", staff, note))
        {
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        }
        var customerId = settled.GetProperty("customerId").GetInt64();
        var refund = new { clinicId = clinic.Id, customerId, currency = "EUR", amount = 12.50m };
        await (await SendAsync(HttpMethod.Post, "/credit/refunds", patient, refund)).AssertProblemAsync(403);
        await (await SendAsync(HttpMethod.Post, "/credit/refunds", otherStaff, refund)).AssertProblemAsync(404);
        await (await SendAsync(HttpMethod.Post, "/credit/refunds", staff, refund with { amount = 12.51m })).AssertProblemAsync(409);
        using (var refunded = await SendAsync(HttpMethod.Post, "/credit/refunds", staff, refund))
        {
            Assert.Equal(HttpStatusCode.Created, refunded.StatusCode);
            var body = await refunded.ReadJsonAsync();
            Assert.Equal(0m, body.GetProperty("balance").GetDecimal());
            var made = Assert.Single(body.GetProperty("refunds").EnumerateArray());
            Assert.Equal((paymentId, 12.50m, "succeeded"), (made.GetProperty("paymentId").GetInt64(), made.GetProperty("amount").GetDecimal(), made.GetProperty("status").GetString()));
        }
        using var service = app.CreateServiceClient(ResourceNames.PaymentService);
        var session = Assert.Single((await service.GetFromJsonAsync<JsonElement>($"/operations/local-payments?reference={id}", Ct)).EnumerateArray());
        Assert.Equal(12.50m, session.GetProperty("refunded").GetDecimal());
        var credit = await (await SendAsync(HttpMethod.Get, "/credit", patient)).ReadJsonAsync();
        Assert.Equal(["refunded", "credit-note"], credit[0].GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task A_clinics_coupon_discounts_its_patients_invoice_once_and_other_clinics_see_none_of_it()
    {
        var (clinic, slots) = await PricedSlotsAsync(80m);
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Connie Coupon", Ct);
        var (_, stranger, _) = await Tokens.NewCustomerAsync(app, "Stan Stranger", Ct);
        var staff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, clinic.Id, Ct);
        var otherStaff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, await _api.CreateClinicIdAsync(), Ct);

        var coupon = new { clinicId = clinic.Id, code = "WELCOME25", percentOff = 25, maxRedemptions = 100, expiresAt = DateTimeOffset.UtcNow.AddDays(7) };
        await (await SendAsync(HttpMethod.Post, "/coupons", patient, coupon)).AssertProblemAsync(403);
        await (await SendAsync(HttpMethod.Post, "/coupons", otherStaff, coupon)).AssertProblemAsync(404);
        await (await SendAsync(HttpMethod.Post, "/coupons", staff, new { clinicId = clinic.Id, code = "BOTH", percentOff = 10, amountOff = 5m, currency = "EUR" })).AssertProblemAsync(400);
        using (var created = await SendAsync(HttpMethod.Post, "/coupons", staff, coupon))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        await (await SendAsync(HttpMethod.Post, "/coupons", staff, coupon)).AssertProblemAsync(409);

        await BookAsync(slots[0], patient);
        var invoice = (await WaitForInvoicesAsync(patient, 1))[0].GetProperty("id").GetInt64();
        await (await SendAsync(HttpMethod.Post, $"/invoices/{invoice}/coupon", stranger, new { code = "WELCOME25" })).AssertProblemAsync(404);
        await (await SendAsync(HttpMethod.Post, $"/invoices/{invoice}/coupon", otherStaff, new { code = "WELCOME25" })).AssertProblemAsync(404);
        using (var used = await SendAsync(HttpMethod.Post, $"/invoices/{invoice}/coupon", patient, new { code = "welcome25" }))
        {
            Assert.Equal(HttpStatusCode.Created, used.StatusCode);
            var discounted = await used.ReadJsonAsync();
            Assert.Equal((80m, 20m, 60m), (discounted.GetProperty("total").GetDecimal(), discounted.GetProperty("paid").GetDecimal(), discounted.GetProperty("outstanding").GetDecimal()));
            Assert.Equal("coupon", Assert.Single(discounted.GetProperty("payments").EnumerateArray()).GetProperty("method").GetString());
        }
        await (await SendAsync(HttpMethod.Post, $"/invoices/{invoice}/coupon", patient, new { code = "WELCOME25" })).AssertProblemAsync(409);

        // The clinic's staff see its use; another clinic's staff see none of its coupons; staff end it, and it is refused.
        var listed = await (await SendAsync(HttpMethod.Get, $"/coupons?clinicId={clinic.Id}", staff)).ReadJsonAsync();
        var mine = Assert.Single(listed.EnumerateArray());
        Assert.Equal(("WELCOME25", 1), (mine.GetProperty("code").GetString(), mine.GetProperty("timesRedeemed").GetInt32()));
        await (await SendAsync(HttpMethod.Get, $"/coupons?clinicId={clinic.Id}", otherStaff)).AssertProblemAsync(404);
        var couponId = mine.GetProperty("id").GetInt64();
        await (await SendAsync(HttpMethod.Delete, $"/coupons/{couponId}", otherStaff)).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"/coupons/{couponId}", staff)).StatusCode);
        await BookAsync(slots[1], patient);
        var next = (await WaitForInvoicesAsync(patient, 2)).Single(i => i.GetProperty("id").GetInt64() != invoice).GetProperty("id").GetInt64();
        await (await SendAsync(HttpMethod.Post, $"/invoices/{next}/coupon", patient, new { code = "WELCOME25" })).AssertProblemAsync(400);

        // Administrators see the clinic's sums (no patient in them); its staff do not.
        var totals = Assert.Single((await (await SendAsync(HttpMethod.Get, $"/payments/totals?clinicId={clinic.Id}", app.AdministratorToken)).ReadJsonAsync()).EnumerateArray());
        Assert.Equal((2, 160m, 140m, 20m, 0m), (totals.GetProperty("invoices").GetInt32(), totals.GetProperty("invoiced").GetDecimal(),
            totals.GetProperty("outstanding").GetDecimal(), totals.GetProperty("discounts").GetDecimal(), totals.GetProperty("paidByCard").GetDecimal()));
        await (await SendAsync(HttpMethod.Get, $"/payments/totals?clinicId={clinic.Id}", staff)).AssertProblemAsync(403);
    }

    [Fact]
    public async Task A_clinic_that_takes_payment_at_booking_holds_the_slot_while_the_patient_pays_and_confirms_it_once_paid()
    {
        var (_, slots) = await PricedSlotsAsync(50m, payAtBooking: true);
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Petra Prepaid", Ct);
        var (_, rival, _) = await Tokens.NewCustomerAsync(app, "Rita Rival", Ct);

        // Verified, then held for payment: 201 awaiting payment, with the time to pay by.
        var before = DateTimeOffset.UtcNow;
        using var booked = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slots[0]}/booking", patient, new { });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var booking = await booked.ReadJsonAsync();
        var id = BookingApi.Id(booking);
        Assert.Equal("awaiting-payment", BookingApi.Status(booking));
        var payBy = booking.GetProperty("holdExpiresAt").GetDateTimeOffset();
        Assert.InRange(payBy, before + ClinicBookingApp.PaymentHold - TimeSpan.FromSeconds(10), before + ClinicBookingApp.PaymentHold + TimeSpan.FromSeconds(30));
        await (await SendAsync(HttpMethod.Put, $"/bookingSlots/{slots[0]}/booking", rival, new { })).AssertProblemAsync(409);

        // Billed at once; its page closes when the hold does.
        var invoice = (await WaitForInvoicesAsync(patient, 1))[0];
        Assert.Equal((50m, "open"), (invoice.GetProperty("total").GetDecimal(), invoice.GetProperty("status").GetString()));
        using var opened = await SendAsync(HttpMethod.Post, "/checkouts", patient, new { invoiceIds = new[] { invoice.GetProperty("id").GetInt64() } });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var checkout = await opened.ReadJsonAsync();
        Assert.True(checkout.GetProperty("expiresAt").GetDateTimeOffset() <= payBy, "The payment page outlives the hold.");

        // The bank asks the patient to confirm (3-D Secure); once confirmed, the payment confirms the booking.
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = new Uri(checkout.GetProperty("paymentUrl").GetString()!);
        using var asked = await browser.PostAsync(page, new FormUrlEncodedContent([new("card", "4000 0025 0000 3155")]), Ct);
        var confirmPage = await asked.Content.ReadAsStringAsync(Ct);
        Assert.Contains("Confirm with your bank", confirmPage);
        var charge = Regex.Match(confirmPage, "name=\"charge\" value=\"(\\d+)\"").Groups[1].Value;
        using (var confirmed = await browser.PostAsync(new Uri(page, page.AbsolutePath + "/authenticate"),
                   new FormUrlEncodedContent([new("charge", charge), new("outcome", "complete")]), Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        }
        var done = await WaitForBookingAsync(id, "confirmed", TimeSpan.FromSeconds(30));
        Assert.Equal(["pending", "awaiting-payment", "confirmed"], done.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.Equal("paid", (await WaitForInvoicesAsync(patient, 1))[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_booking_not_paid_in_time_expires_frees_its_slot_and_nothing_is_charged()
    {
        var (_, slots) = await PricedSlotsAsync(35m, payAtBooking: true);
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Len Late", Ct);
        var (_, next, _) = await Tokens.NewCustomerAsync(app, "Nina Next", Ct);
        using var booked = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slots[0]}/booking", patient, new { });
        var id = BookingApi.Id(await booked.ReadJsonAsync());
        var invoice = (await WaitForInvoicesAsync(patient, 1))[0].GetProperty("id").GetInt64();
        using var opened = await SendAsync(HttpMethod.Post, "/checkouts", patient, new { invoiceIds = new[] { invoice } });
        var checkout = await opened.ReadJsonAsync();
        var checkoutId = checkout.GetProperty("id").GetInt64();
        var page = new Uri(checkout.GetProperty("paymentUrl").GetString()!);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using (var declined = await browser.PostAsync(page, new FormUrlEncodedContent([new("card", "4000 0000 0000 0002")]), Ct))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        }

        // The hold runs out unpaid: expired, the slot free for someone else, the invoice void, the page closed.
        var expired = await WaitForBookingAsync(id, "expired", ClinicBookingApp.PaymentHold + TimeSpan.FromSeconds(30));
        Assert.Equal(JsonValueKind.Null, expired.GetProperty("holdExpiresAt").ValueKind);
        using (var rebooked = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slots[0]}/booking", next, new { }))
        {
            Assert.Equal(HttpStatusCode.Created, rebooked.StatusCode);
            Assert.Equal("awaiting-payment", BookingApi.Status(await rebooked.ReadJsonAsync()));
        }
        await Http.WaitUntilAsync(async () => (await WaitForInvoicesAsync(patient, 1))[0].GetProperty("status").GetString() == "void");
        await Http.WaitUntilAsync(async () =>
            (await (await SendAsync(HttpMethod.Get, $"/checkouts/{checkoutId}", patient)).ReadJsonAsync()).GetProperty("status").GetString() == "expired");
        using (var late = await browser.PostAsync(page, new FormUrlEncodedContent([new("card", "4242 4242 4242 4242")]), Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        }
        await (await SendAsync(HttpMethod.Post, "/checkouts", patient, new { invoiceIds = new[] { invoice } })).AssertProblemAsync(409);

        // At the provider: the declined attempt, and no charge.
        using var service = app.CreateServiceClient(ResourceNames.PaymentService);
        var session = Assert.Single((await service.GetFromJsonAsync<JsonElement>($"/operations/local-payments?reference={checkoutId}", Ct)).EnumerateArray());
        Assert.Equal("expired", session.GetProperty("status").GetString());
        Assert.Equal(["declined"], session.GetProperty("charges").EnumerateArray().Select(c => c.GetProperty("outcome").GetString()));
    }

    private async Task<(SlotClinic Clinic, List<long> Slots)> PricedSlotsAsync(decimal amount, bool payAtBooking = false)
    {
        var clinic = await SlotFixtures.CreateAsync(_api);
        if (payAtBooking)
        {
            using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/clinics/{clinic.Id}") { Content = Http.Json("""{"payAtBooking": true}""", "application/merge-patch+json") };
            using var patched = await app.Gateway.SendAsync(patch, Ct);
            Assert.True(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync(Ct));
            Assert.True((await patched.ReadJsonAsync()).GetProperty("payAtBooking").GetBoolean());
        }
        await _api.PriceShiftAsync(clinic.TimeSlot, new { amount, currency = "EUR" });
        var day = SlotFixtures.NextYear(6, 1);
        await _api.GenerateAsync(clinic.Id, day, day.AddDays(2));
        return (clinic, [.. (await _api.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(2))).Select(s => s.GetProperty("id").GetInt64())]);
    }

    private async Task<long> BookAsync(long slot, string token)
    {
        using var booked = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slot}/booking", token, new { });
        Assert.True(booked.IsSuccessStatusCode, await booked.Content.ReadAsStringAsync(Ct));
        var id = BookingApi.Id(await booked.ReadJsonAsync());
        Assert.Equal("confirmed", BookingApi.Status(await new BookingApi(app).WaitForDecisionAsync(id)));
        return id;
    }

    /// <summary>The booking (as an administrator reads it) once it is <paramref name="status"/>.</summary>
    private async Task<JsonElement> WaitForBookingAsync(long id, string status, TimeSpan timeout)
    {
        var api = new BookingApi(app);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var booking = await api.GetBookingAsync(id);
            if (BookingApi.Status(booking) == status)
            {
                return booking;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Booking {id} is {BookingApi.Status(booking)}, not {status}, after {timeout.TotalSeconds} s.");
            await Task.Delay(250, Ct);
        }
    }

    /// <summary>The customer's invoices once there are <paramref name="count"/>: each is made after its booking, from its message.</summary>
    private async Task<List<JsonElement>> WaitForInvoicesAsync(string token, int count)
    {
        List<JsonElement> invoices = [];
        await Http.WaitUntilAsync(async () =>
        {
            using var listed = await SendAsync(HttpMethod.Get, "/invoices", token);
            invoices = [.. (await listed.ReadJsonAsync()).EnumerateArray()];
            return invoices.Count == count;
        });
        return invoices;
    }

    private static long? BookingOf(JsonElement invoice) =>
        invoice.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("bookingId")).Where(b => b.ValueKind == JsonValueKind.Number)
            .Select(b => (long?)b.GetInt64()).FirstOrDefault();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null, string? key = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) }.As(token);
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        return app.Anonymous.SendAsync(request, Ct);
    }
}
