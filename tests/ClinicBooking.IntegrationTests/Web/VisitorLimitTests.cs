using System.Text.RegularExpressions;
using System.Net;
using System.Net.Sockets;

namespace ClinicBooking.IntegrationTests.Web;

/// <summary>
/// Issue 26, finding 5: the web app called the gateway from one address, so all its visitors shared one
/// anonymous limit; one visitor's quick searches made the gateway refuse the web app, its circuit breaker
/// opened, and every visitor got a 500 page with a stack trace. Now the gateway limits each visitor, and the
/// one who sends too much gets a plain "wait a moment" page.
/// </summary>
public sealed class VisitorLimitTests(ClinicBookingApp app, WebBrowser browser)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_visitor_sending_500_quick_searches_slows_only_themselves()
    {
        var scenario = new WebScenario(app);
        var (clinic, _) = await scenario.ClinicWithSlotsAsync();
        var search = $"/?specialization={clinic.Specialization}&from={WebScenario.Day:yyyy-MM-dd}&to={WebScenario.Day:yyyy-MM-dd}";

        using var busy = FromAddress("127.0.0.41");
        var pages = new List<(HttpStatusCode Status, string Html)>();
        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                using var response = await busy.GetAsync(search, Ct);
                var html = await response.Content.ReadAsStringAsync(Ct);
                lock (pages)
                {
                    pages.Add((response.StatusCode, html));
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        // The busy visitor was limited (the test reached the limit), and was told so in plain words.
        Assert.Contains(pages, p => p.Html.Contains("Wait a moment, then try again.", StringComparison.Ordinal));
        Assert.All(pages, p => Assert.True(p.Status == HttpStatusCode.OK, $"A busy visitor's page answered {(int)p.Status}."));
        Assert.All(pages, p => Pages.AssertNoStackTrace(p.Html, search));

        // Meanwhile another visitor gets their search results at once.
        using var other = FromAddress("127.0.0.42");
        using var answer = await other.GetAsync(search, Ct);
        var page = await answer.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Pages.AssertNoStackTrace(page, search);
        Assert.Contains("Dr Ada Lee", page);
        Assert.DoesNotContain("Wait a moment", page);
    }

    /// <summary>
    /// Issue 26, finding 9: behind a TLS proxy (X-Forwarded-Proto: https) the web app knows it is served over
    /// https, so the address it asks the identity service to send the browser back to is https (and its
    /// cookies stay Secure); and after sign-in it sends the browser back only into its own site.
    /// </summary>
    [Fact]
    public async Task Behind_a_TLS_proxy_the_web_app_speaks_https_and_sends_no_one_off_site()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.WebAppUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/signin?returnUrl=%2Fbookings");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var challenge = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var query = System.Web.HttpUtility.ParseQueryString(challenge.Headers.Location!.Query);
        Assert.StartsWith("https://", query["redirect_uri"]);
        Assert.All(challenge.Headers.GetValues("Set-Cookie"), cookie => Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task After_sign_in_the_browser_goes_back_only_into_the_web_app()
    {
        var patient = await Tokens.NewCustomerAsync(app, "Rita Return", Ct);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // A tab is dropped by browsers, so "/\t/example.com" would arrive as "//example.com": another site.
        await page.GotoAsync($"{app.WebAppUrl}/account/signin?returnUrl=%2F%09%2Fexample.com");
        await page.SignInOnLoginPageAsync(patient.Email, Tokens.Password);
        await page.WaitForPageAsync(new Regex("^" + Regex.Escape(app.WebAppUrl) + "/?$"));
        Assert.Equal(app.WebAppUrl + "/", page.Url);
        Pages.AssertNoStackTrace(await page.ContentAsync(), page.Url);
    }

    private HttpClient FromAddress(string address) => Http.FromAddress(new Uri(app.WebAppUrl), address);
}
