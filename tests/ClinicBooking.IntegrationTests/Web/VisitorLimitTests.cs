using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ClinicBooking.IntegrationTests.Web;

/// <summary>
/// Issue 26, finding 5: the web app called the gateway from one address, so all its visitors shared one
/// anonymous limit; one visitor's quick searches made the gateway refuse the web app, its circuit breaker
/// opened, and every visitor got a 500 page with a stack trace. Now the gateway limits each visitor, and the
/// one who sends too much gets a plain "wait a moment" page.
/// </summary>
public sealed class VisitorLimitTests(ClinicBookingApp app)
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

    /// <summary>A client of the web app whose connections come from <paramref name="address"/> (any 127.x address is this machine).</summary>
    private HttpClient FromAddress(string address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = new Uri(app.WebAppUrl) };
}
