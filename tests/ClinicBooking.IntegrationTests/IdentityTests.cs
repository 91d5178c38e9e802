using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace ClinicBooking.IntegrationTests;

/// <summary>Signing up and in, what tokens are worth, and what happens to bad ones, through the real gateway.</summary>
public sealed class IdentityTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_customer_signs_up_signs_in_books_sees_the_booking_and_cancels_it()
    {
        var slot = await new BookingApi(app).CreateSlotAsync();
        var (customerId, token, _) = await Tokens.NewCustomerAsync(app, "Pat Patient", Ct);

        // customerId left out: the booking is for the signed-in customer.
        using var booked = await app.Anonymous.SendAsync(
            new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slot}/booking") { Content = JsonContent.Create(new { }) }.As(token), Ct);
        Assert.Contains(booked.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Accepted });
        var booking = await booked.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(customerId, booking.GetProperty("customerId").GetInt64());
        var bookingId = booking.GetProperty("id").GetInt64();
        // The customer can follow their own booking to its decision.
        await WaitForAsync(async () => (await GetJsonAsync($"/bookings/{bookingId}", token)) is var b
            && b.GetProperty("status").GetString() == "confirmed" ? b : null);

        // The customer's own list follows by messages: the booking appears there pending, then confirmed.
        var mine = await WaitForAsync(async () =>
        {
            var page = await GetJsonAsync($"/customers/{customerId}/bookings", token);
            return page.GetProperty("items").EnumerateArray().Any(b => b.GetProperty("bookingId").GetInt64() == bookingId
                && b.GetProperty("status").GetString() == "confirmed") ? page : (JsonElement?)null;
        });
        Assert.Equal(bookingId, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("bookingId").GetInt64());
        Assert.Equal(customerId, (await GetJsonAsync($"/customers/{customerId}", token)).GetProperty("id").GetInt64());

        using var cancelled = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/bookings/{bookingId}").As(token), Ct);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await GetJsonAsync($"/bookings/{bookingId}", token)).GetProperty("status").GetString());

        // Each write is on record with who made it, for administrators to read.
        var patient = $"customer:{new JsonWebToken(token).Subject}";
        var bookingAudit = (await GetJsonAsync($"/bookings/{bookingId}/audit", app.AdministratorToken)).EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString(), e.GetProperty("actor").GetString())).ToList();
        Assert.Equal([("booking.created", patient), ("booking.confirmed", "system"), ("booking.cancelled", patient)], bookingAudit);
        // Each record's detail: a transition's reason, an update's changed fields (names, never values).
        var cancelRecord = (await GetJsonAsync($"/bookings/{bookingId}/audit", app.AdministratorToken)).EnumerateArray().Last();
        Assert.Equal((await GetJsonAsync($"/bookings/{bookingId}", token)).GetProperty("reason").GetString(), cancelRecord.GetProperty("detail").GetString());
        using var phoneChanged = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/customers/{customerId}")
        {
            Content = new StringContent("""{"phone": "+44 20 7946 0999"}""", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        }.As(token), Ct);
        Assert.Equal(HttpStatusCode.OK, phoneChanged.StatusCode);
        var customerAudit = (await GetJsonAsync($"/customers/{customerId}/audit", app.AdministratorToken)).EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString(), e.GetProperty("actor").GetString(),
                e.GetProperty("detail").ValueKind == JsonValueKind.Null ? null : e.GetProperty("detail").GetString())).ToList();
        Assert.Equal([("customer.created", "service:identityservice", null), ("customer.updated", patient, "phone")], customerAudit);
        using var notForCustomers = await SendAsync($"/bookings/{bookingId}/audit", token);
        await notForCustomers.AssertProblemAsync(403);
    }

    [Fact]
    public async Task A_browser_signs_in_with_the_code_flow_and_PKCE()
    {
        var (customerId, _, email) = await Tokens.NewCustomerAsync(app, "Bea Browser", Ct);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.Anonymous.BaseAddress,
        };
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        // The reference page's own address is a registered redirect of the browser client.
        var redirect = new Uri(app.Anonymous.BaseAddress!, "/scalar").ToString();
        var authorize = $"/connect/authorize?client_id=clinicbooking-web&response_type=code&scope=openid%20api" +
            $"&redirect_uri={Uri.EscapeDataString(redirect)}&state=s123&code_challenge={challenge}&code_challenge_method=S256";

        // Not signed in: sent to the login page, which is served through the gateway.
        using var toLogin = await browser.GetAsync(authorize, Ct);
        Assert.Equal(HttpStatusCode.Found, toLogin.StatusCode);
        var login = toLogin.Headers.Location!;
        Assert.StartsWith("/account/login", login.IsAbsoluteUri ? login.PathAndQuery : login.OriginalString);
        var page = await browser.GetStringAsync(login, Ct);
        var antiforgery = System.Text.RegularExpressions.Regex.Match(page, "name=\"(__RequestVerificationToken)\" value=\"([^\"]+)\"");
        var returnUrl = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);
        Assert.True(antiforgery.Success, "The login form carries an antiforgery token.");

        using var wrong = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery.Groups[1].Value] = System.Net.WebUtility.HtmlDecode(antiforgery.Groups[2].Value),
            ["email"] = email, ["password"] = "not it", ["returnUrl"] = returnUrl,
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("not right", await wrong.Content.ReadAsStringAsync(Ct));

        using var signedIn = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery.Groups[1].Value] = System.Net.WebUtility.HtmlDecode(antiforgery.Groups[2].Value),
            ["email"] = email, ["password"] = Tokens.Password, ["returnUrl"] = returnUrl,
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        using var back = await browser.GetAsync(signedIn.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.Found, back.StatusCode);
        var callback = back.Headers.Location!;
        Assert.StartsWith(redirect, callback.ToString());
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Assert.Equal("s123", query["state"]);

        using var exchanged = await browser.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = "clinicbooking-web", ["code"] = query["code"]!,
            ["redirect_uri"] = redirect, ["code_verifier"] = verifier,
        }), Ct);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        var token = (await exchanged.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("access_token").GetString()!;
        Assert.Equal(customerId, (await GetJsonAsync($"/customers/{customerId}", token)).GetProperty("id").GetInt64());

        // Issue 26, finding 9: a link on another site cannot sign the browser out. Without the client's
        // id_token_hint, logout asks first, and the session stays.
        using var linked = await browser.GetAsync("/connect/logout", Ct);
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        Assert.Contains("Sign out?", await linked.Content.ReadAsStringAsync(Ct));
        using var still = await browser.GetAsync(authorize, Ct);
        Assert.StartsWith(redirect, still.Headers.Location!.ToString());

        // The code was spent: a replay gets nothing, and (RFC 6749 4.1.2) ends the tokens the code gave, at
        // every service, within seconds.
        var subject = (await GetJsonAsync("/connect/userinfo", token)).GetProperty("sub").GetString();
        using var replay = await browser.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = "clinicbooking-web", ["code"] = query["code"]!,
            ["redirect_uri"] = redirect, ["code_verifier"] = verifier,
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await SendAsync($"/customers/{customerId}", token)).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), "The token of a replayed code still works at CustomerService.");
            await Task.Delay(100, Ct);
        }

        // Issue 26, finding 3: once an administrator locks the account, its session mints no more codes.
        Assert.Equal(HttpStatusCode.NoContent, (await app.Gateway.PostAsync($"/accounts/{subject}/lock", null, Ct)).StatusCode);
        using var locked = await browser.GetAsync(authorize, Ct);
        Assert.Equal(HttpStatusCode.Found, locked.StatusCode);
        Assert.Contains("/account/login", locked.Headers.Location!.ToString());
    }

    /// <summary>Issue 26, finding 9: a machine client's wrong secret is answered as OAuth says (invalid_client), not as a bearer challenge.</summary>
    [Fact]
    public async Task A_wrong_client_secret_sent_with_HTTP_Basic_is_invalid_client()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "api" }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("clinicbooking-ops:not-the-secret")));
        using var response = await app.Anonymous.SendAsync(request, Ct);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"answered {(int)response.StatusCode}");
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString());
    }

    /// <summary>
    /// Issue 26, finding 9: deactivated clinics, doctors and shifts are their managers' business; a clinic's
    /// staff list does not show where colleagues also work.
    /// </summary>
    [Fact]
    public async Task Inactive_entries_and_colleagues_other_clinics_are_shown_to_those_who_manage_them_only()
    {
        var clinics = new ClinicApi(app);
        var x = await clinics.CreateClinicIdAsync(shard: 0);
        var y = await clinics.CreateClinicIdAsync(shard: 1);
        var customer = await Tokens.NewCustomerAsync(app, "Curious Cat", Ct);
        var staffX = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, x, Ct);
        foreach (var (path, refusedForStaffX) in new[] { ("/clinics?includeInactive=true", true), ($"/clinics/{x}/doctors?includeInactive=true", false), ($"/clinics/{x}/timeslots?includeInactive=true", false) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous.GetAsync(path, Ct)).StatusCode);
            using var asCustomer = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, path).As(customer.Token), Ct);
            await asCustomer.AssertProblemAsync(403);
            using var asStaff = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, path).As(staffX), Ct);
            Assert.Equal(refusedForStaffX ? HttpStatusCode.Forbidden : HttpStatusCode.OK, asStaff.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await app.Gateway.GetAsync(path, Ct)).StatusCode);
            // Without the flag, anyone reads the active ones.
            Assert.Equal(HttpStatusCode.OK, (await app.Anonymous.GetAsync(path.Split('?')[0], Ct)).StatusCode);
        }

        // One person works at both clinics: clinic X's staff see X only; the administrator sees both.
        var email = Http.UniqueEmail("two-clinics");
        foreach (var clinic in new[] { x, y })
        {
            using var added = await app.Gateway.PostAsJsonAsync($"/clinics/{clinic}/staff", new { name = "Tess Two", email, password = Tokens.Password }, Ct);
            Assert.True(added.IsSuccessStatusCode);
        }
        var seenByStaff = (await GetJsonAsync($"/clinics/{x}/staff", staffX)).EnumerateArray().Single(m => m.GetProperty("email").GetString() == email);
        Assert.Equal([x], seenByStaff.GetProperty("clinicIds").EnumerateArray().Select(c => c.GetInt64()));
        var seenByAdmin = (await GetJsonAsync($"/clinics/{x}/staff", app.AdministratorToken)).EnumerateArray().Single(m => m.GetProperty("email").GetString() == email);
        Assert.Equal(new[] { x, y }.Order(), seenByAdmin.GetProperty("clinicIds").EnumerateArray().Select(c => c.GetInt64()));
    }

    [Fact]
    public async Task A_machine_client_gets_a_service_token_with_its_credentials()
    {
        var secret = File.ReadAllText(Path.Combine(app.DataDirectory, "secrets", "identity-ops")).Trim();
        using var wrong = await app.Anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "clinicbooking-ops", ["client_secret"] = "wrong", ["scope"] = "api",
        }), Ct);
        Assert.Contains(wrong.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        Assert.Equal("invalid_client", (await wrong.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString());

        using var issued = await app.Anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "clinicbooking-ops", ["client_secret"] = secret, ["scope"] = "api",
        }), Ct);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var token = (await issued.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("access_token").GetString()!;
        Assert.Equal("service", new JsonWebToken(token).GetClaim("role").Value);

        // A service identity reaches the operator routes, and is nobody's customer or clinic.
        using var cell = app.CreateClient(ResourceNames.ClinicCell(0), token);
        Assert.Equal(HttpStatusCode.OK, (await cell.GetAsync("/operations/outbox", Ct)).StatusCode);
        using var customers = await SendAsync("/customers", token);
        await customers.AssertProblemAsync(403);
    }

    [Fact]
    public async Task A_customer_books_for_no_one_else_and_sees_no_one_elses_bookings()
    {
        var api = new BookingApi(app);
        var (_, slots) = await api.CreateSlotsAsync(2);
        var a = await Tokens.NewCustomerAsync(app, "Ann", Ct);
        var b = await Tokens.NewCustomerAsync(app, "Ben", Ct);

        using var forB = await app.Anonymous.SendAsync(
            new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slots[0]}/booking") { Content = JsonContent.Create(new { customerId = b.CustomerId }) }.As(a.Token), Ct);
        await forB.AssertProblemAsync(403);
        Assert.False(await api.IsBookedAsync(slots[0]));

        using var own = await app.Anonymous.SendAsync(
            new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slots[1]}/booking") { Content = JsonContent.Create(new { customerId = a.CustomerId }) }.As(a.Token), Ct);
        Assert.Contains(own.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Accepted });
        var bookingId = (await own.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

        // B gets exactly what a booking that does not exist gets, and cannot cancel it.
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
        {
            using var response = await app.Anonymous.SendAsync(new HttpRequestMessage(method, $"/bookings/{bookingId}").As(b.Token), Ct);
            await response.AssertProblemAsync(404);
        }
        using var list = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/customers/{a.CustomerId}/bookings").As(b.Token), Ct);
        await list.AssertProblemAsync(404);
        Assert.Equal("confirmed", (await api.GetBookingAsync(bookingId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tokens_issued_before_IdentityService_restarts_still_work_after_it()
    {
        var (customerId, _, email) = await Tokens.NewCustomerAsync(app, "Rita Restart", Ct);
        using var before = await Tokens.RequestTokenAsync(app.Anonymous, email, Tokens.Password, Ct, scope: "api offline_access");
        var issued = await before.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var accessToken = issued.GetProperty("access_token").GetString()!;
        var refreshToken = issued.GetProperty("refresh_token").GetString()!;

        await app.RestartAsync(ResourceNames.IdentityService);
        // CustomerService too, so it must fetch IdentityService's keys afresh rather than use what it cached.
        await app.RestartAsync(ResourceNames.CustomerService);

        Assert.Equal(customerId, (await GetJsonAsync($"/customers/{customerId}", accessToken)).GetProperty("id").GetInt64());
        using var refreshed = await app.Anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = Tokens.CliClient, ["refresh_token"] = refreshToken,
        }), Ct);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var renewed = (await refreshed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("access_token").GetString()!;
        Assert.Equal(new JsonWebToken(accessToken).Kid, new JsonWebToken(renewed).Kid);
        Assert.Equal(customerId, (await GetJsonAsync($"/customers/{customerId}", renewed)).GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task An_expired_tampered_or_foreign_token_gets_401_everywhere()
    {
        var (customerId, token, _) = await Tokens.NewCustomerAsync(app, "Tom Token", Ct);
        var key = await SigningKeyAsync();
        var original = new JsonWebToken(token);
        string Sign(DateTime expires, SecurityKey signingKey) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = original.Issuer,
            Audience = original.Audiences.Single(),
            IssuedAt = expires.AddHours(-1),
            NotBefore = expires.AddHours(-1),
            Expires = expires,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
            Subject = new ClaimsIdentity(original.Claims.Where(c => c.Type is "sub" or "role" or "customer_id" or "name")),
        });

        // The same claims and key, still valid: accepted, so what the others change is what gets them refused.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync($"/customers/{customerId}", Sign(DateTime.UtcNow.AddMinutes(10), key))).StatusCode);

        var expired = Sign(DateTime.UtcNow.AddMinutes(-5), key);
        var foreign = Sign(DateTime.UtcNow.AddMinutes(10), new RsaSecurityKey(RSA.Create(2048)) { KeyId = original.Kid });
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        payload["role"] = JsonSerializer.SerializeToElement("admin");
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";

        foreach (var (name, bad) in new[] { ("expired", expired), ("foreign", foreign), ("tampered", tampered), ("garbage", "garbage") })
        {
            // Through the gateway, on a private and on a public operation, and straight to the service.
            foreach (var (client, path) in new[] { (app.Anonymous, $"/customers/{customerId}"), (app.Anonymous, "/clinics"), (null, $"/customers/{customerId}") })
            {
                using var direct = client is null ? app.CreateClient(ResourceNames.CustomerService, null) : null;
                using var response = await (client ?? direct!).SendAsync(new HttpRequestMessage(HttpMethod.Get, path).As(bad), Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"A {name} token on {path} answered {(int)response.StatusCode}.");
                Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
            }
        }
        using var admin = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/customers").As(tampered), Ct);
        await admin.AssertProblemAsync(401);
    }

    /// <summary>
    /// Issue 26, finding 4: six wrong passwords from one address locked the owner out everywhere for 15 minutes.
    /// Now guessing is slowed for that address and that account only; the owner at another address signs in, and
    /// an email without an account gets exactly the answers an account does.
    /// </summary>
    [Fact]
    public async Task Failed_sign_ins_from_one_address_never_lock_the_owner_out_elsewhere()
    {
        var (_, _, email) = await Tokens.NewCustomerAsync(app, "Lou Lockout", Ct);
        var nobody = Http.UniqueEmail("nobody");
        using var attacker = FromAddress("127.0.0.31");
        using var owner = FromAddress("127.0.0.32");
        var answers = new Dictionary<string, List<string>> { [email] = [], [nobody] = [] };
        foreach (var target in answers.Keys)
        {
            for (var attempt = 1; attempt <= 6; attempt++)
            {
                using var wrong = await Tokens.RequestTokenAsync(attacker, target, "not the password", Ct);
                Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
                var error = await wrong.Content.ReadFromJsonAsync<JsonElement>(Ct);
                answers[target].Add($"{error.GetProperty("error").GetString()}: {error.GetProperty("error_description").GetString()}");
            }
        }
        // The same answers, attempt by attempt, whether the email has an account or not; the last ones slowed.
        Assert.Equal(answers[email], answers[nobody]);
        Assert.Contains("Too many failed sign-ins", answers[email][^1]);
        // The attacker's address may not try this account for a while, even with the right password...
        using var slowed = await Tokens.RequestTokenAsync(attacker, email, Tokens.Password, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, slowed.StatusCode);
        // ...while its owner, elsewhere, signs in at once.
        using var signedIn = await Tokens.RequestTokenAsync(owner, email, Tokens.Password, Ct);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public async Task A_service_called_directly_without_a_token_answers_401()
    {
        var clinic = await new ClinicApi(app).CreateClinicIdAsync(shard: 0);
        foreach (var (service, path) in new[]
        {
            (ResourceNames.CustomerService, "/customers"),
            (ResourceNames.CustomerService, "/operations/dead-letters"),
            (ResourceNames.ClinicCell(0), $"/clinics/{clinic}/doctors/"),
            (ResourceNames.ClinicCell(0), "/shards"),
            (ResourceNames.ClinicCell(0), "/operations/outbox"),
            (ResourceNames.NotificationService, "/operations/notifications"),
            (ResourceNames.NotificationService, "/operations/dead-letters"),
            (ResourceNames.ConsultationService, "/operations/consultations"),
            (ResourceNames.ConsultationService, "/operations/local-video"),
            (ResourceNames.PaymentService, "/operations/dead-letters"),
        })
        {
            using var anonymous = app.CreateClient(service, null);
            using var response = path.EndsWith("/doctors/", StringComparison.Ordinal)
                ? await anonymous.PostAsJsonAsync(path, new { name = "Dr Direct", specialization = "Cardiology" }, Ct)
                : await anonymous.GetAsync(path, Ct);
            await response.AssertProblemAsync(401);
            using var signedIn = app.CreateServiceClient(service);
            using var allowed = path.EndsWith("/doctors/", StringComparison.Ordinal)
                ? await signedIn.PostAsJsonAsync(path, new { name = "Dr Direct", specialization = "Cardiology" }, Ct)
                : await signedIn.GetAsync(path, Ct);
            Assert.True(allowed.IsSuccessStatusCode, $"{service}{path} as the administrator answered {(int)allowed.StatusCode}.");
        }
        // The Hangfire dashboard too: administrators only.
        using var cell = app.CreateClient(ResourceNames.ClinicCell(0), null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cell.GetAsync("/hangfire", Ct)).StatusCode);
        using var adminCell = app.CreateServiceClient(ResourceNames.ClinicCell(0));
        Assert.Equal(HttpStatusCode.OK, (await adminCell.GetAsync("/hangfire", Ct)).StatusCode);
    }

    [Fact]
    public async Task Rate_limits_answer_429_with_Retry_After_per_client()
    {
        // Each limit is reached from an address of its own, so the rest of the suite (127.0.0.1) is not slowed.
        await AssertLimitedAsync("127.0.0.21", RateLimits.SignInPerMinute, client => client.PostAsync("/connect/token",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "nobody" }), Ct));
        await AssertLimitedAsync("127.0.0.22", RateLimits.SignUpPerMinute, client => client.PostAsJsonAsync("/account/register", new { }, Ct));
        await AssertLimitedAsync("127.0.0.23", RateLimits.PerClientBurst, client => client.GetAsync("/clinics/64", Ct));

        // Another client is not held back by them.
        using var other = FromAddress("127.0.0.24");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await other.GetAsync("/clinics/64", Ct)).StatusCode);
    }

    private async Task AssertLimitedAsync(string address, int limit, Func<HttpClient, Task<HttpResponseMessage>> send)
    {
        using var client = FromAddress(address);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        // Sent in parallel batches so a refill (the per-client bucket refills every second) cannot keep up.
        for (var sent = 0; sent < limit + 50 && refused is null; sent += 50)
        {
            foreach (var response in await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => send(client))))
            {
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && refused is null)
                {
                    refused = response;
                }
            }
        }
        Assert.True(refused is not null, $"{address}: {statuses.Count} requests, none refused with 429.");
        await refused.AssertProblemAsync(429);
        Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "A 429 says when to retry.");
        Assert.True(statuses.Count(s => s != HttpStatusCode.TooManyRequests) >= Math.Min(limit, 50), "The first requests were let through.");
    }

    private HttpClient FromAddress(string address) => Http.FromAddress(app.Anonymous.BaseAddress!, address);

    private async Task<RsaSecurityKey> SigningKeyAsync()
    {
        await using var connection = await app.OpenDatabaseAsync(ResourceNames.IdentityDatabase);
        await using var command = new NpgsqlCommand("SELECT key_id, private_key_pem FROM signing_keys WHERE use = 'signing'", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        var rsa = RSA.Create();
        // Stored encrypted with the secret the AppHost keeps beside the data (what an operator holds).
        rsa.ImportFromEncryptedPem(reader.GetString(1),
            File.ReadAllText(Path.Combine(app.DataDirectory, "secrets", ClinicBooking.AppHost.AppHostConfiguration.KeyEncryptionSecret)).Trim());
        return new RsaSecurityKey(rsa) { KeyId = reader.GetString(0) };
    }

    private Task<HttpResponseMessage> SendAsync(string path, string token) =>
        app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, path).As(token), Ct);

    private async Task<JsonElement> GetJsonAsync(string path, string token)
    {
        using var response = await SendAsync(path, token);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static async Task<JsonElement> WaitForAsync(Func<Task<JsonElement?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "What was awaited never happened within 30 s.");
            await Task.Delay(200, Ct);
        }
    }
}
