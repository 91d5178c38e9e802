using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ClinicBooking.IntegrationTests.Web;

/// <summary>What every web test does to the pages it visits: sign in, check accessibility, keep screenshots.</summary>
public static partial class Pages
{
    /// <summary>
    /// Runs axe on the page as it stands and fails on any serious or critical violation, naming each with the
    /// elements it found. Every page a test visits goes through this.
    /// </summary>
    public static async Task AssertAccessibleAsync(this IPage page)
    {
        AssertNoStackTrace(await page.ContentAsync(), page.Url);
        var results = await page.RunAxe();
        var bad = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{page.Url} has accessibility violations:\n" + string.Join("\n", bad.Select(Describe)));
    }

    /// <summary>No page ever shows a stack trace, in any environment (the suite runs the AppHost's Development one).</summary>
    public static void AssertNoStackTrace(string html, string url) =>
        Assert.False(StackFrame().IsMatch(html) || html.Contains("Exception:", StringComparison.Ordinal),
            $"{url} shows a stack trace or an exception:\n{html[..Math.Min(html.Length, 2000)]}");

    [GeneratedRegex(@"\bat [A-Za-z_][\w.`<>\[\],]*\.[\w<>`]+\(")]
    private static partial Regex StackFrame();

    private static string Describe(AxeResultItem violation) =>
        $"- {violation.Impact} {violation.Id}: {violation.Help} at {string.Join(", ", violation.Nodes.Select(n => n.Target.ToString()))}";

    /// <summary>Goes to a path of the web app, checks the page, and answers its HTTP status.</summary>
    public static async Task<int> OpenAsync(this IPage page, string url)
    {
        var response = await page.GotoAsync(url);
        await page.AssertAccessibleAsync();
        return response?.Status ?? 0;
    }

    /// <summary>
    /// Waits until the page is at a URL <paramref name="url"/> matches and that document has loaded: the wait
    /// after every click or key that navigates. Not Playwright's <c>WaitForURLAsync</c>: it reads the URL the
    /// client last heard of and only then listens for navigations, on another thread than the one that delivers
    /// them, so a navigation landing in between is never seen and the wait times out on a page long shown
    /// (microsoft/playwright-dotnet#3364). The assertion asks the browser's side for the URL until it matches,
    /// and its failure names the URL the page was at; waiting for the load state checks and listens under one lock.
    /// </summary>
    public static async Task WaitForPageAsync(this IPage page, Regex url)
    {
        await Assertions.Expect(page).ToHaveURLAsync(url);
        await page.WaitForLoadStateAsync();
    }

    /// <summary>Waits until the page is at exactly <paramref name="url"/> and that document has loaded.</summary>
    public static Task WaitForPageAsync(this IPage page, string url) =>
        page.WaitForPageAsync(new Regex("^" + Regex.Escape(url) + "$"));

    /// <summary>
    /// Signs in through the identity service's login page, as a person would: from the web app's sign-in link
    /// to the login form and back. Both pages are checked.
    /// </summary>
    public static async Task SignInAsync(this IPage page, string webApp, string email, string password)
    {
        await page.GotoAsync($"{webApp}/account/signin?returnUrl=%2F");
        await page.SignInOnLoginPageAsync(email, password);
        await page.WaitForPageAsync(new Regex("^" + Regex.Escape(webApp)));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    /// <summary>Fills the identity service's login form, which the browser has been sent to.</summary>
    public static async Task SignInOnLoginPageAsync(this IPage page, string email, string password)
    {
        await page.WaitForPageAsync(new Regex("/account/login"));
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>
    /// Keeps a screenshot of the page for the README (scripts/screenshots.sh sets SCREENSHOTS_DIR to docs/screenshots);
    /// otherwise into the test output.
    /// </summary>
    public static async Task ScreenshotAsync(this IPage page, string name)
    {
        var directory = Environment.GetEnvironmentVariable("SCREENSHOTS_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }
}
