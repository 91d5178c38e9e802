using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>The rate limits the test app runs with (set on the gateway by <see cref="ClinicBookingApp"/>).</summary>
public static class RateLimits
{
    public const int PerClientBurst = 400;
    public const int SignInPerMinute = 400;
    public const int SignUpPerMinute = 200;
}

/// <summary>Signing up and signing in through the gateway, as a client of the API does.</summary>
public static class Tokens
{
    public const string CliClient = "clinicbooking-cli";
    public const string Password = "correct horse battery staple";

    /// <summary>An access token for the account, from the password grant of the command-line client.</summary>
    public static async Task<string> PasswordGrantAsync(HttpClient gateway, string email, string password, CancellationToken ct)
    {
        using var response = await RequestTokenAsync(gateway, email, password, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Sign-in of {email} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public static Task<HttpResponseMessage> RequestTokenAsync(HttpClient gateway, string email, string password, CancellationToken ct, string scope = "api") =>
        gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = CliClient,
            ["username"] = email,
            ["password"] = password,
            ["scope"] = scope,
        }), ct);

    /// <summary>
    /// Signs a new customer up, activates the account as its owner does (the link in the verification mail, read
    /// in the local inbox), and signs in: their customer id, access token and address.
    /// </summary>
    public static async Task<(long CustomerId, string Token, string Email)> NewCustomerAsync(ClinicBookingApp app, string name, CancellationToken ct,
        string phone = "+44 20 7946 0000")
    {
        var email = Http.UniqueEmail(name.ToLowerInvariant().Replace(' ', '.'));
        await SignUpAsync(app, name, email, ct, phone);
        var token = await PasswordGrantAsync(app.Anonymous, email, Password, ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account").As(token);
        using var response = await app.Anonymous.SendAsync(request, ct);
        var account = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        return (account.GetProperty("customerId").GetInt64(), token, email);
    }

    /// <summary>Signs up (202) and follows the verification mail's link, as its owner does: the account may sign in then.</summary>
    public static async Task SignUpAsync(ClinicBookingApp app, string name, string email, CancellationToken ct, string? phone = null, string password = Password)
    {
        using var response = await app.Anonymous.PostAsJsonAsync("/account/register", new { name, email, phone, password }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Sign-up answered {(int)response.StatusCode}: {body}");
        await VerifyAsync(app, email, ct);
    }

    /// <summary>Follows the newest verification link the address got, as the web app's page does.</summary>
    public static async Task VerifyAsync(ClinicBookingApp app, string email, CancellationToken ct)
    {
        var mails = await app.Inbox.WaitForAsync(email, m => m.Any(x => x.Subject == "Verify your email address"), accountMails: true);
        var link = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(mails.Last(m => m.Subject == "Verify your email address").LinkTo("/account/verify-email").Query);
        using var verified = await app.Anonymous.PostAsJsonAsync("/account/email/verify",
            new { accountId = link["account"].ToString(), token = link["token"].ToString() }, ct);
        Assert.True(verified.StatusCode == HttpStatusCode.NoContent, $"Verifying {email} answered {(int)verified.StatusCode}");
    }

    /// <summary>A new staff account for the clinic (created by the administrator), signed in.</summary>
    public static async Task<string> NewStaffAsync(HttpClient administrator, HttpClient gateway, long clinicId, CancellationToken ct)
    {
        var email = Http.UniqueEmail($"staff-{clinicId}");
        using var response = await administrator.PostAsJsonAsync($"/clinics/{clinicId}/staff", new { name = "Sam Staff", email, password = Password }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Creating staff answered {(int)response.StatusCode}: {body}");
        return await PasswordGrantAsync(gateway, email, Password, ct);
    }

    public static HttpRequestMessage As(this HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return request;
    }
}
