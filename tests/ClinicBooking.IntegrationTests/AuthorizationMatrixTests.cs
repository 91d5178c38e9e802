using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Every operation of the gateway's OpenAPI document, called by each kind of caller against objects of
/// customer A and of clinic X, answered as the table says. An operation without a row fails the test, so no
/// endpoint ships without a rule. "Allowed" means the call got past access control: any answer but 401, 403
/// and 404 (a write with an empty body is then refused as invalid, 400, which changes nothing).
/// </summary>
public sealed class AuthorizationMatrixTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Caller { Anonymous, CustomerA, CustomerB, StaffX, StaffY, Administrator }

    /// <summary>What each caller gets, in <see cref="Caller"/> order; 0 is "allowed".</summary>
    internal sealed record Rule(string Name, params int[] Expected);

    internal const int Ok = 0;
    private static readonly Rule Public = new("public", Ok, Ok, Ok, Ok, Ok, Ok);
    private static readonly Rule SignedIn = new("any signed-in account, its own", 401, Ok, Ok, Ok, Ok, Ok);
    private static readonly Rule Administrators = new("administrators", 401, 403, 403, 403, 403, Ok);
    // Under a clinic, another clinic's staff get 404 whatever the operation: nothing of that clinic shows.
    private static readonly Rule ClinicAdministrators = new("administrators (clinic X)", 401, 403, 403, 403, 404, Ok);
    private static readonly Rule CustomerAdministrators = new("administrators (customer A)", 401, 403, 404, 403, 403, Ok);
    private static readonly Rule CustomerSelf = new("customer A and administrators", 401, Ok, 404, 403, 403, Ok);
    private static readonly Rule ClinicStaff = new("clinic X's staff and administrators", 401, 403, 403, Ok, 404, Ok);
    private static readonly Rule BookingParty = new("A's booking: A, clinic X's staff, administrators", 401, Ok, 404, Ok, 404, Ok);
    private static readonly Rule Booking = new("customers for themselves, clinic X's staff, administrators", 401, Ok, Ok, Ok, 404, Ok);
    // A video call's links are its holders' own: administrators run the platform, they do not join calls.
    private static readonly Rule VideoCall = new("A's video call: A and clinic X's staff", 401, Ok, 404, Ok, 404, 403);
    private static readonly Rule VideoCalls = new("video calls: customers their own, clinic X's staff", 401, Ok, Ok, Ok, 404, 403);
    // Money is its parties' business: the customer billed and the clinic's staff; administrators see no invoice.
    private static readonly Rule PaymentParty = new("A's invoice or payment: A and clinic X's staff", 401, Ok, 404, Ok, 404, 403);
    private static readonly Rule PaymentParties = new("invoices: customers their own, clinic X's staff", 401, Ok, Ok, Ok, 404, 403);
    private static readonly Rule Desk = new("clinic X's staff, not administrators", 401, 403, 403, Ok, 404, 403);
    // A customer pays their own invoices by card; the clinic's staff take money at the desk instead.
    private static readonly Rule CardPayer = new("A's invoices by card: A only", 401, Ok, 404, 403, 403, 403);

    /// <summary>The rules, one per operation of the document.</summary>
    internal static readonly Dictionary<string, Rule> Table = new()
    {
        ["POST /account/register"] = Public,
        ["POST /account/password"] = SignedIn,
        ["GET /account"] = SignedIn,
        ["POST /account/email"] = SignedIn,
        // The links of account mails: the link's token is the authority (it may open in a browser signed in as
        // anyone, or no one); "forgot password" answers everyone alike.
        ["POST /account/email/verify"] = Public,
        ["POST /account/email/confirm"] = Public,
        ["POST /account/password/forgot"] = Public,
        ["POST /account/password/reset"] = Public,
        ["POST /accounts/{accountId}/lock"] = Administrators,
        ["DELETE /accounts/{accountId}/lock"] = Administrators,
        ["GET /clinics"] = Public,
        ["POST /clinics"] = Administrators,
        ["GET /shards"] = Administrators,
        ["GET /clinics/{id}"] = Public,
        ["PUT /clinics/{id}"] = ClinicStaff,
        ["PATCH /clinics/{id}"] = ClinicStaff,
        ["DELETE /clinics/{id}"] = ClinicAdministrators,
        ["GET /clinics/{clinicId}/staff"] = ClinicStaff,
        ["GET /clinics/{clinicId}/patients"] = ClinicStaff,
        ["POST /clinics/{clinicId}/patients/lookup"] = ClinicStaff,
        ["POST /clinics/{clinicId}/staff"] = ClinicAdministrators,
        ["DELETE /clinics/{clinicId}/staff/{accountId}"] = ClinicAdministrators,
        ["GET /clinics/{clinicId}/doctors"] = Public,
        ["POST /clinics/{clinicId}/doctors"] = ClinicStaff,
        ["GET /doctors/{id}"] = Public,
        ["PUT /doctors/{id}"] = ClinicStaff,
        ["PATCH /doctors/{id}"] = ClinicStaff,
        ["DELETE /doctors/{id}"] = ClinicStaff,
        ["GET /doctors/{id}/absences"] = ClinicStaff,
        ["POST /doctors/{id}/absences"] = ClinicStaff,
        ["GET /clinics/{clinicId}/timeslots"] = Public,
        ["POST /clinics/{clinicId}/timeslots"] = ClinicStaff,
        ["GET /timeslots/{id}"] = Public,
        ["PUT /timeslots/{id}"] = ClinicStaff,
        ["DELETE /timeslots/{id}"] = ClinicStaff,
        ["GET /doctors/{doctorId}/slots"] = ClinicStaff,
        ["POST /doctors/{doctorId}/slots"] = ClinicStaff,
        ["GET /doctors/slots/{id}"] = ClinicStaff,
        ["PUT /doctors/slots/{id}"] = ClinicStaff,
        ["DELETE /doctors/slots/{id}"] = ClinicStaff,
        ["POST /bookingSlots"] = ClinicStaff,
        ["GET /bookingSlots/{id}"] = ClinicStaff,
        ["PUT /bookingSlots/{id}"] = ClinicStaff,
        ["DELETE /bookingSlots/{id}"] = ClinicStaff,
        ["GET /doctors/{doctorId}/bookingSlots"] = ClinicStaff,
        ["POST /availability/createBookingSlots"] = ClinicStaff,
        ["PUT /bookingSlots/{slotId}/booking"] = Booking,
        ["GET /bookingSlots/{slotId}/booking"] = BookingParty,
        ["GET /bookings/{id}"] = BookingParty,
        ["DELETE /bookings/{id}"] = BookingParty,
        ["GET /bookings/{id}/audit"] = ClinicAdministrators,
        ["GET /clinics/{clinicId}/availability"] = Public,
        ["GET /doctors/{doctorId}/availability"] = Public,
        ["GET /availability/search"] = Public,
        ["GET /availability/next"] = Public,
        ["GET /consultations"] = VideoCalls,
        ["GET /consultations/{bookingId}"] = VideoCall,
        ["GET /invoices"] = PaymentParties,
        ["GET /invoices/{id}"] = PaymentParty,
        ["POST /invoices/{id}/lines"] = Desk,
        ["POST /payments/desk"] = Desk,
        ["GET /payments/{id}"] = PaymentParty,
        ["POST /checkouts"] = CardPayer,
        // A customer's credit: their own; a clinic's staff read their patients' at the clinic (clinicId and customerId).
        ["GET /credit"] = PaymentParties,
        ["GET /payment-policies/{clinicId}"] = Public,
        // A clinic's coupons are its staff's; the invoice's parties use one on it.
        ["POST /coupons"] = Desk,
        ["GET /coupons"] = Desk,
        ["DELETE /coupons/{id}"] = Desk,
        ["POST /invoices/{id}/coupon"] = PaymentParty,
        // Giving money back is the clinic's staff's: credit on an invoice, credit refunded to the card.
        ["POST /invoices/{id}/credit-notes"] = Desk,
        ["POST /credit/refunds"] = Desk,
        // Sums per clinic, no patient in them: the platform's administrators.
        ["GET /payments/totals"] = Administrators,
        ["PUT /payment-policies/{clinicId}"] = ClinicStaff,
        ["GET /checkouts/{id}"] = PaymentParty,
        // The payment provider's events: its signature, not a token, is the authority (an unsigned one is refused, 400).
        ["POST /payments/webhooks"] = Public,
        ["GET /customers"] = Administrators,
        ["POST /customers"] = Administrators,
        ["GET /customers/{id}"] = CustomerSelf,
        ["PUT /customers/{id}"] = CustomerSelf,
        ["PATCH /customers/{id}"] = CustomerSelf,
        ["DELETE /customers/{id}"] = CustomerSelf,
        ["GET /customers/{id}/bookings"] = CustomerSelf,
        ["GET /customers/{id}/audit"] = CustomerAdministrators,
        ["GET /customers/{id}/standing"] = CustomerAdministrators,
        ["GET /notifications/preferences/{customerId}"] = CustomerSelf,
        ["PUT /notifications/preferences/{customerId}"] = CustomerSelf,
        // The one-click stop of reminder mails (RFC 8058): the link's secret is the authority, not a sign-in.
        ["POST /notifications/unsubscribe/{token}"] = Public,
        ["GET /notifications/clinics/{clinicId}/settings"] = ClinicStaff,
        ["PUT /notifications/clinics/{clinicId}/settings"] = ClinicStaff,
    };

    [Fact]
    public async Task Every_operation_answers_each_caller_as_its_rule_says()
    {
        var document = await app.Anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(o => o.Name is "get" or "put" or "post" or "patch" or "delete")
                .Select(o => $"{o.Name.ToUpperInvariant()} {path.Name}"))
            .ToList();
        Assert.Empty(operations.Where(o => !Table.ContainsKey(o)).Select(o => $"no rule for {o}"));
        Assert.Empty(Table.Keys.Where(k => !operations.Contains(k)).Select(k => $"the table names {k}, which the document does not"));

        var world = await World.CreateAsync(app);
        var failures = new List<string>();
        // Reads first, then writes, removals last: what an allowed caller changes cannot turn a later check
        // into a 404 (a cancelled booking, a removed slot).
        foreach (var operation in operations.OrderBy(o => o.Split(' ')[0] switch { "GET" => 0, "DELETE" => 2, _ => 1 }).ThenBy(o => o))
        {
            var rule = Table[operation];
            // Refused callers first: a refusal must change nothing an allowed caller then relies on.
            foreach (var caller in Enum.GetValues<Caller>().OrderBy(c => rule.Expected[(int)c] == Ok ? 1 : 0))
            {
                if (rule.Expected[(int)caller] == Ok)
                {
                    await world.RenewRemovedAsync(operation, app);
                }
                using var request = world.Request(operation, caller);
                using var response = await app.Anonymous.SendAsync(request, Ct);
                var expected = rule.Expected[(int)caller];
                var status = (int)response.StatusCode;
                var passed = expected == Ok ? status is not (401 or 403 or 404) && status < 500 : status == expected;
                if (!passed)
                {
                    failures.Add($"{operation} as {caller} ({rule.Name}): expected {(expected == Ok ? "allowed" : expected)}, got {status} " +
                        (await response.Content.ReadAsStringAsync(Ct))[..Math.Min(200, (int)(response.Content.Headers.ContentLength ?? 200))]);
                }
                else if (expected != Ok)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
            await world.RestoreAccessAsync(operation, app);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The objects every call names: customer A's record and booking, and clinic X's data.</summary>
    internal sealed class World
    {
        private readonly Dictionary<Caller, string?> _tokens = [];
        private readonly Dictionary<string, long> _ids = [];
        private string _staffAccount = "";
        private string _customerAEmail = "";
        private string _staffXEmail = "";
        // Locked and unlocked by allowed callers: an account of its own, so locking it locks out no one the test uses.
        private string _lockable = "";

        public static async Task<World> CreateAsync(ClinicBookingApp app)
        {
            var world = new World();
            var clinics = new ClinicApi(app);
            var x = await SlotFixtures.CreateAsync(clinics);
            var y = await clinics.CreateClinicIdAsync();
            var from = SlotFixtures.NextYear(3, 1);
            // The shift costs 40 EUR, so A's booking has an invoice.
            await clinics.PriceShiftAsync(x.TimeSlot, new { amount = 40, currency = "EUR" });
            // The doctor sees patients in person or online: A's booking is online, so it has a video call.
            var template = (await app.Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{x.Doctor}/slots", Ct))[0].GetProperty("id").GetInt64();
            using (var either = await app.Gateway.PutAsJsonAsync($"/doctors/slots/{template}", new { timeSlotId = x.TimeSlot, weekday = (int?)null, mode = "either" }, Ct))
            {
                Assert.Equal(HttpStatusCode.OK, either.StatusCode);
            }
            await clinics.GenerateAsync(x.Id, from, from.AddDays(6));
            var slots = (await clinics.DoctorSlotsAsync(x.Doctor, from, from.AddDays(6))).Select(s => s.GetProperty("id").GetInt64()).ToList();
            Assert.True(slots.Count >= 3, "The template should generate a slot on at least 3 of 7 days.");

            var a = await Tokens.NewCustomerAsync(app, "Customer A", Ct);
            var b = await Tokens.NewCustomerAsync(app, "Customer B", Ct);
            world._tokens[Caller.Anonymous] = null;
            world._tokens[Caller.CustomerA] = a.Token;
            world._tokens[Caller.CustomerB] = b.Token;
            world._staffXEmail = Http.UniqueEmail($"staff-{x.Id}");
            using (var staffX = await app.Gateway.PostAsJsonAsync($"/clinics/{x.Id}/staff", new { name = "Sam Staff", email = world._staffXEmail, password = Tokens.Password }, Ct))
            {
                Assert.Equal(HttpStatusCode.Created, staffX.StatusCode);
            }
            world._tokens[Caller.StaffX] = await Tokens.PasswordGrantAsync(app.Anonymous, world._staffXEmail, Tokens.Password, Ct);
            world._customerAEmail = a.Email;
            world._tokens[Caller.StaffY] = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, y, Ct);
            world._tokens[Caller.Administrator] = app.AdministratorToken;

            // A books slot 0 herself: her booking in clinic X.
            using var book = new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slots[0]}/booking") { Content = JsonContent.Create(new { mode = "online" }) }.As(a.Token);
            using var booked = await app.Anonymous.SendAsync(book, Ct);
            // 202 when the saga takes longer than the request waits (a cold broker): the booking exists either way.
            Assert.Contains(booked.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Accepted });
            var booking = (await booked.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
            // Its video call is made after the booking: there once ConsultationService has read the confirmation.
            await Http.WaitUntilAsync(async () =>
            {
                using var call = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/consultations/{booking}").As(a.Token), Ct);
                return call.StatusCode == HttpStatusCode.OK;
            });

            // Its invoice is made after the booking too; clinic X's desk takes a first 1.00 of it.
            long invoice = 0;
            await Http.WaitUntilAsync(async () =>
            {
                using var listed = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/invoices").As(a.Token), Ct);
                var invoices = await listed.Content.ReadFromJsonAsync<JsonElement>(Ct);
                invoice = listed.IsSuccessStatusCode && invoices.GetArrayLength() == 1 ? invoices[0].GetProperty("id").GetInt64() : 0;
                return invoice != 0;
            });
            using (var desk = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/payments/desk")
                   {
                       Content = JsonContent.Create(new { allocations = new[] { new { invoiceId = invoice, amount = 1.00m } } }),
                   }.As(world._tokens[Caller.StaffX]), Ct))
            {
                Assert.Equal(HttpStatusCode.Created, desk.StatusCode);
                world._ids["payment"] = (await desk.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
            }
            world._ids["invoice"] = invoice;
            // Clinic X's staff make a coupon (the one the matrix may end).
            using (var coupon = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/coupons")
                   {
                       Content = JsonContent.Create(new { clinicId = x.Id, code = "MATRIX-10", percentOff = 10 }),
                   }.As(world._tokens[Caller.StaffX]), Ct))
            {
                Assert.Equal(HttpStatusCode.Created, coupon.StatusCode);
                world._ids["coupon"] = (await coupon.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
            }
            // A opens a card payment of the rest (not paid: its page stays open).
            using (var checkout = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/checkouts")
                   {
                       Content = JsonContent.Create(new { invoiceIds = new[] { invoice } }),
                   }.As(a.Token), Ct))
            {
                Assert.Equal(HttpStatusCode.Created, checkout.StatusCode);
                world._ids["checkout"] = (await checkout.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
            }

            var staff = await app.Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{x.Id}/staff", Ct);
            world._staffAccount = staff[0].GetProperty("id").GetString()!;
            using var lockable = await app.Gateway.PostAsJsonAsync($"/clinics/{y}/staff", new { name = "Lockable", email = Http.UniqueEmail("lockable"), password = Tokens.Password }, Ct);
            world._lockable = (await lockable.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;

            world._ids["customer"] = a.CustomerId;
            world._ids["clinic"] = x.Id;
            world._ids["doctor"] = x.Doctor;
            world._ids["timeslot"] = x.TimeSlot;
            world._ids["template"] = template;
            world._ids["bookedSlot"] = slots[0];
            world._ids["freeSlot"] = slots[1];
            world._ids["otherSlot"] = slots[2];
            world._ids["booking"] = booking;
            world._ids["date"] = from.DayNumber;
            return world;
        }

        /// <summary>
        /// A fresh object for each allowed caller of an operation that really removes one (a booking slot, a
        /// weekly template): the previous caller's success left nothing there to remove.
        /// </summary>
        public async Task RenewRemovedAsync(string operation, ClinicBookingApp app)
        {
            if (operation == "DELETE /bookingSlots/{id}")
            {
                var date = DateOnly.FromDayNumber((int)_ids["date"]).AddDays(20 + _renewed++);
                using var created = await app.Gateway.PostAsJsonAsync("/bookingSlots",
                    new { doctorId = _ids["doctor"], timeSlotId = _ids["timeslot"], date }, Ct);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                _ids["otherSlot"] = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
            }
            else if (operation == "DELETE /doctors/slots/{id}")
            {
                var clinics = new ClinicApi(app);
                var doctor = await clinics.CreateDoctorAsync(_ids["clinic"]);
                _ids["template"] = await clinics.CreateTemplateAsync(doctor, _ids["timeslot"]);
            }
        }

        private int _renewed;

        /// <summary>
        /// Removing clinic X's staff member and deactivating customer A end their access at once (their tokens
        /// are refused): the administrator gives it back, and they sign in again, for the operations after.
        /// </summary>
        public async Task RestoreAccessAsync(string operation, ClinicBookingApp app)
        {
            if (operation == "DELETE /clinics/{clinicId}/staff/{accountId}")
            {
                var email = _staffXEmail;
                using var added = await app.Gateway.PostAsJsonAsync($"/clinics/{_ids["clinic"]}/staff", new { name = "Sam Staff", email, password = Tokens.Password }, Ct);
                Assert.True(added.IsSuccessStatusCode, $"Giving clinic X back to its staff member answered {(int)added.StatusCode}.");
                _tokens[Caller.StaffX] = await Tokens.PasswordGrantAsync(app.Anonymous, email, Tokens.Password, Ct);
            }
            else if (operation == "DELETE /customers/{id}")
            {
                using var reactivate = new HttpRequestMessage(HttpMethod.Patch, $"/customers/{_ids["customer"]}")
                {
                    Content = new StringContent("""{"isActive": true}""", Encoding.UTF8, "application/merge-patch+json"),
                };
                (await app.Gateway.SendAsync(reactivate, Ct)).EnsureSuccessStatusCode();
                _tokens[Caller.CustomerA] = await Tokens.PasswordGrantAsync(app.Anonymous, _customerAEmail, Tokens.Password, Ct);
            }
        }

        public HttpRequestMessage Request(string operation, Caller caller, string? body = null)
        {
            var method = operation.Split(' ')[0];
            var path = operation.Split(' ')[1];
            var id = (string key) => _ids[key].ToString(System.Globalization.CultureInfo.InvariantCulture);
            var url = path
                .Replace("/customers/{id}", $"/customers/{id("customer")}")
                .Replace("/clinics/{id}", $"/clinics/{id("clinic")}")
                .Replace("{clinicId}", id("clinic"))
                .Replace("/doctors/slots/{id}", $"/doctors/slots/{id("template")}")
                .Replace("/doctors/{id}", $"/doctors/{id("doctor")}")
                .Replace("{doctorId}", id("doctor"))
                .Replace("/timeslots/{id}", $"/timeslots/{id("timeslot")}")
                .Replace("/bookingSlots/{slotId}/booking", $"/bookingSlots/{id(method == "PUT" ? "freeSlot" : "bookedSlot")}/booking")
                .Replace("/bookingSlots/{id}", $"/bookingSlots/{id("otherSlot")}")
                .Replace("/bookings/{id}", $"/bookings/{id("booking")}")
                .Replace("/invoices/{id}", $"/invoices/{id("invoice")}")
                .Replace("/payments/{id}", $"/payments/{id("payment")}")
                .Replace("/checkouts/{id}", $"/checkouts/{id("checkout")}")
                .Replace("/coupons/{id}", $"/coupons/{id("coupon")}")
                .Replace("/accounts/{accountId}", $"/accounts/{_lockable}")
                .Replace("{customerId}", id("customer"))
                .Replace("{bookingId}", id("booking"))
                .Replace("{token}", "0a1b2c3d4e5f")
                .Replace("{accountId}", _staffAccount);
            Assert.DoesNotContain("{", url);
            url += path switch
            {
                "/availability/search" => $"?date={DateOnly.FromDayNumber((int)_ids["date"]):yyyy-MM-dd}&specialization=Cardiology",
                "/availability/next" => "?specialization=Cardiology",
                "/consultations" or "/invoices" or "/coupons" when method == "GET" => $"?clinicId={id("clinic")}",
                "/credit" => $"?clinicId={id("clinic")}&customerId={id("customer")}",
                _ => "",
            };

            var request = new HttpRequestMessage(new HttpMethod(method), url).As(_tokens[caller]);
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new StringContent(body ?? Body(path), Encoding.UTF8, method == "PATCH" ? "application/merge-patch+json" : "application/json");
            }
            return request;
        }

        /// <summary>
        /// An empty body (refused as invalid by whoever gets past access control), except where the rule is
        /// decided from the body itself: those name clinic X's objects, validly.
        /// </summary>
        private string Body(string path)
        {
            var date = DateOnly.FromDayNumber((int)_ids["date"]).AddDays(10);
            return path switch
            {
                "/bookingSlots" => JsonSerializer.Serialize(new { doctorId = _ids["doctor"], timeSlotId = _ids["timeslot"], date }),
                "/availability/createBookingSlots" => JsonSerializer.Serialize(new { clinicId = _ids["clinic"], from = date, to = date }),
                // Whose invoice decides: valid bodies, so another clinic's staff are refused by the lookup (404).
                "/invoices/{id}/lines" => JsonSerializer.Serialize(new { description = "Matrix charge", amount = 1.00m }),
                "/payments/desk" => JsonSerializer.Serialize(new { allocations = new[] { new { invoiceId = _ids["invoice"], amount = 0.01m } } }),
                "/checkouts" => JsonSerializer.Serialize(new { invoiceIds = new[] { _ids["invoice"] } }),
                "/payment-policies/{clinicId}" => JsonSerializer.Serialize(new { cancellationNoticeHours = 24 }),
                "/coupons" => JsonSerializer.Serialize(new { clinicId = _ids["clinic"], code = $"M{Guid.NewGuid():N}"[..20], amountOff = 1.00m, currency = "EUR" }),
                // No such code: who passes access control is refused by the validation (400), others 403/404.
                "/invoices/{id}/coupon" => JsonSerializer.Serialize(new { code = "NO-SUCH-CODE" }),
                "/invoices/{id}/credit-notes" => JsonSerializer.Serialize(new { amount = 0.01m, reason = "Matrix credit" }),
                "/credit/refunds" => JsonSerializer.Serialize(new { clinicId = _ids["clinic"], customerId = _ids["customer"], currency = "EUR", amount = 0.01m }),
                _ => "{}",
            };
        }
    }
}
