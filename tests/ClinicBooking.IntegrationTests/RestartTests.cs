using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace ClinicBooking.IntegrationTests;

public class RestartTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Customers_survive_a_restart_of_CustomerService()
    {
        var email = Http.UniqueEmail("durable");
        var created = await app.Gateway.PostAsJsonAsync("/customers", new { name = "Durable Dana", email }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();

        await app.RestartAsync(ResourceNames.CustomerService);

        var read = await app.Gateway.GetAsync($"/customers/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var customer = await read.ReadJsonAsync();
        Assert.Equal("Durable Dana", customer.GetProperty("name").GetString());
        Assert.Equal(email, customer.GetProperty("email").GetString());
    }

    /// <summary>
    /// The sign-in cookie is sealed with data protection keys kept in IdentityService's database, not on the
    /// machine or in the container it runs in: a restart (or a new container, or a second instance) keeps
    /// people signed in.
    /// </summary>
    [Fact]
    public async Task A_browser_stays_signed_in_across_a_restart_of_IdentityService()
    {
        var (_, _, email) = await Tokens.NewCustomerAsync(app, "Steady Stella", Ct);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.Anonymous.BaseAddress,
        };
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(RandomNumberGenerator.GetBytes(32)));
        var redirect = new Uri(app.Anonymous.BaseAddress!, "/scalar").ToString();
        var authorize = $"/connect/authorize?client_id=clinicbooking-web&response_type=code&scope=openid%20api" +
            $"&redirect_uri={Uri.EscapeDataString(redirect)}&state=s1&code_challenge={challenge}&code_challenge_method=S256";
        using var toLogin = await browser.GetAsync(authorize, Ct);
        var page = await browser.GetStringAsync(toLogin.Headers.Location, Ct);
        var antiforgery = System.Text.RegularExpressions.Regex.Match(page, "name=\"(__RequestVerificationToken)\" value=\"([^\"]+)\"");
        var returnUrl = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);
        using var signedIn = await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery.Groups[1].Value] = WebUtility.HtmlDecode(antiforgery.Groups[2].Value),
            ["email"] = email, ["password"] = Tokens.Password, ["returnUrl"] = returnUrl,
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        using var before = await browser.GetAsync(authorize, Ct);
        Assert.StartsWith(redirect, before.Headers.Location!.ToString());

        await app.RestartAsync(ResourceNames.IdentityService);

        using var after = await browser.GetAsync(authorize, Ct);
        Assert.Equal(HttpStatusCode.Found, after.StatusCode);
        Assert.StartsWith(redirect, after.Headers.Location!.ToString());
        await using var identity = await app.OpenDatabaseAsync(ResourceNames.IdentityDatabase);
        await using var keys = new Npgsql.NpgsqlCommand("SELECT count(*) FROM data_protection_keys", identity);
        Assert.True((long)(await keys.ExecuteScalarAsync(Ct))! >= 1, "The key ring is kept in IdentityService's database.");
    }
}
