using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicBooking.IntegrationTests.Web;

/// <summary>The account pages in a real browser, each reached from the mail a person gets (the local inbox), each checked with axe.</summary>
public sealed class AccountPagesTests(ClinicBookingApp app, WebBrowser browser)
{
    private readonly WebScenario _scenario = new(app);

    private string WebApp => app.WebAppUrl;

    [Fact]
    public async Task A_patient_moves_their_account_to_another_address_through_the_link_sent_to_it()
    {
        var (_, _, email) = await _scenario.NewPatientAsync("Max Mover");
        var newEmail = Http.UniqueEmail("max.moved");
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, email, Tokens.Password);

        // The account page, from the name in the header: the address, and the form to move.
        await page.GetByRole(AriaRole.Link, new() { Name = "Max Mover" }).ClickAsync();
        await page.WaitForPageAsync(new Regex("/account$"));
        await Expect(page.Locator("#email")).ToHaveTextAsync(email);
        await page.AssertAccessibleAsync();
        // The current password is asked: a wrong one is refused next to its field.
        await page.GetByLabel("New email").FillAsync(newEmail);
        await page.GetByLabel("Current password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the link" }).ClickAsync();
        await Expect(page.Locator("#currentPassword-error")).ToContainTextAsync("not right");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("New email").FillAsync(newEmail);
        await page.GetByLabel("Current password").FillAsync(Tokens.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the link" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("keeps its address until you follow the link");

        // The link in the mail to the new address; one press moves the account.
        var mail = Assert.Single(await app.Inbox.WaitForAsync(newEmail, m => m.Count >= 1, accountMails: true));
        await page.OpenAsync(mail.LinkTo("/account/confirm-email").AbsoluteUri);
        await Expect(page.Locator("#new-email")).ToHaveTextAsync(newEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use this address" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("now uses its new address");
        await page.AssertAccessibleAsync();

        await using var fresh = await browser.NewContextAsync();
        var again = await fresh.NewPageAsync();
        await again.SignInAsync(WebApp, newEmail, Tokens.Password);
        await again.OpenAsync($"{WebApp}/account");
        await Expect(again.Locator("#email")).ToHaveTextAsync(newEmail);
    }

    [Fact]
    public async Task A_patient_who_forgot_their_password_sets_a_new_one_from_the_mail_and_signs_in_with_it()
    {
        var (_, _, email) = await _scenario.NewPatientAsync("Fay Forgot");
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        // From the sign-in page's link to the web app's "forgot password" page.
        await page.GotoAsync($"{WebApp}/account/signin?returnUrl=%2F");
        await page.WaitForPageAsync(new Regex("/account/login"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await page.WaitForPageAsync(new Regex(Regex.Escape(WebApp) + "/account/forgot-password"));
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the link" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("If an account uses that address");
        await page.AssertAccessibleAsync();

        var mails = await app.Inbox.WaitForAsync(email, m => m.Any(x => x.Subject == "Set a new password"), accountMails: true);
        var link = mails.Single(m => m.Subject == "Set a new password").LinkTo("/account/reset-password");
        await page.OpenAsync(link.AbsoluteUri);
        // A password that is too short is refused next to its field.
        await page.GetByLabel("New password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the new password" }).ClickAsync();
        await Expect(page.Locator("#newPassword-error")).ToContainTextAsync("10");
        await page.AssertAccessibleAsync();
        const string newPassword = "the new passphrase of Fay";
        await page.GetByLabel("New password").FillAsync(newPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the new password" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("Your new password is set");
        await page.AssertAccessibleAsync();

        // The same link again: refused, with the way to a new one.
        await page.OpenAsync(link.AbsoluteUri);
        await page.GetByLabel("New password").FillAsync("one more new passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the new password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not valid any more");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ask for a new link" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        await page.SignInAsync(WebApp, email, newPassword);
        await Expect(page.GetByText("Fay Forgot")).ToBeVisibleAsync();
    }
}
