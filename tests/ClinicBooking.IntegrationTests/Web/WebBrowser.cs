using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(ClinicBooking.IntegrationTests.Web.WebBrowser))]

namespace ClinicBooking.IntegrationTests.Web;

/// <summary>
/// Debian's Chromium, driven by Playwright, for the web app's end-to-end tests: started on the first test that
/// asks for it, shared by all, and each test gets fresh browser contexts (one per person: own cookies).
/// Playwright's own browser download does not work here, so it runs the system's executable.
/// </summary>
public sealed class WebBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>A new person's browser: own cookies, desktop width unless a viewport is given.</summary>
    public async Task<IBrowserContext> NewContextAsync(ViewportSize? viewport = null)
    {
        var browser = await BrowserAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
        });
        // The app answers within a few seconds; a page that does not is a failure, not a reason to wait 30 s.
        context.SetDefaultTimeout(20_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        return context;
    }

    private async Task<IBrowser> BrowserAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_browser is null)
            {
                Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing (scripts/setup.sh installs the chromium package).");
                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = ChromiumPath,
                    Headless = true,
                    // As root Chromium needs --no-sandbox; the rest keep it off a network this machine does not have.
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
                });
            }
            return _browser;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        _gate.Dispose();
    }
}
