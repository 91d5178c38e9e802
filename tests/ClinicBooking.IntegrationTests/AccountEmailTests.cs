using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Account mails end to end: IdentityService's outbox, RabbitMQ, NotificationService and a real SMTP server
/// (smtp4dev), whose inbox the tests read as a person would, following the links the mails carry.
/// </summary>
public sealed class AccountEmailTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signing_up_sends_a_verification_mail_whose_link_verifies_the_address_and_only_then_the_account_signs_in()
    {
        var email = Http.UniqueEmail("vera.verify");
        using (var signUp = await app.Anonymous.PostAsJsonAsync("/account/register", new { name = "Vera Verify", email, password = Tokens.Password }, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, signUp.StatusCode);
        }
        // Not before the address is verified, and the refusal is a wrong password's.
        await AssertSignInRefusedAsync(email, Tokens.Password);

        var mail = Assert.Single(await app.Inbox.WaitForAsync(email, m => m.Count >= 1, accountMails: true));
        Assert.Equal("Verify your email address", mail.Subject);
        var link = Query(mail.LinkTo("/account/verify-email"));

        // A token that is not the mail's is refused, and says what to do.
        using (var forged = await app.Anonymous.PostAsJsonAsync("/account/email/verify", new { accountId = link["account"], token = "x" + link["token"] }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Contains("Ask for a new one", await forged.Content.ReadAsStringAsync(Ct));
        }
        await AssertSignInRefusedAsync(email, Tokens.Password);

        using (var verified = await app.Anonymous.PostAsJsonAsync("/account/email/verify", new { accountId = link["account"], token = link["token"] }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        }
        var token = await Tokens.PasswordGrantAsync(app.Anonymous, email, Tokens.Password, Ct);
        var account = await GetAccountAsync(token);
        Assert.True(account.GetProperty("emailVerified").GetBoolean());
        Assert.True(account.GetProperty("customerId").GetInt64() > 0);
        // Following the link again changes nothing.
        using var again = await app.Anonymous.PostAsJsonAsync("/account/email/verify", new { accountId = link["account"], token = link["token"] }, Ct);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
    }

    /// <summary>
    /// Issue 26, finding 4: a sign-up with an address that had an account answered 409 "An account with this email
    /// already exists", which told anyone who had an account. Now the answer is a new address's, nothing is
    /// created, and only the owner hears of it.
    /// </summary>
    [Fact]
    public async Task Signing_up_with_an_address_that_has_an_account_answers_as_for_a_new_one_and_only_its_owner_hears_of_it()
    {
        var (_, token, email) = await Tokens.NewCustomerAsync(app, "Owen Owner", Ct);
        var fresh = Http.UniqueEmail("fresh");

        using var taken = await app.Anonymous.PostAsJsonAsync("/account/register", new { name = "Mallory", email = email.ToUpperInvariant(), password = "mallory's own passphrase" }, Ct);
        using var free = await app.Anonymous.PostAsJsonAsync("/account/register", new { name = "Mallory", email = fresh, password = "mallory's own passphrase" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        Assert.Equal(free.StatusCode, taken.StatusCode);
        // Each answer names the address it was given, and nothing else.
        Assert.Equal(fresh, (await free.ReadJsonAsync()).GetProperty("email").GetString());
        Assert.Equal(email.ToUpperInvariant(), (await taken.ReadJsonAsync()).GetProperty("email").GetString());
        // Signing in with the password just chosen is refused alike for both: neither is a usable account yet.
        var refusals = new List<string>();
        foreach (var address in new[] { email, fresh })
        {
            using var signIn = await Tokens.RequestTokenAsync(app.Anonymous, address, "mallory's own passphrase", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
            refusals.Add(await signIn.Content.ReadAsStringAsync(Ct));
        }
        Assert.Equal(refusals[0], refusals[1]);

        // A field the customer record refuses is refused alike for both, before the address is looked at (the
        // record's rules are CustomerService's: a refusal only a new address reached would tell them apart).
        using var takenBadPhone = await app.Anonymous.PostAsJsonAsync("/account/register", new { name = "Mallory", email, phone = "call me", password = "mallory's own passphrase" }, Ct);
        using var freeBadPhone = await app.Anonymous.PostAsJsonAsync("/account/register", new { name = "Mallory", email = Http.UniqueEmail("fresh"), phone = "call me", password = "mallory's own passphrase" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, freeBadPhone.StatusCode);
        Assert.Equal(freeBadPhone.StatusCode, takenBadPhone.StatusCode);
        Assert.Equal((await freeBadPhone.ReadJsonAsync()).GetProperty("errors").ToString(), (await takenBadPhone.ReadJsonAsync()).GetProperty("errors").ToString());

        // The owner is told, and keeps their account as it was.
        var mails = await app.Inbox.WaitForAsync(email, m => m.Any(x => x.Subject == "You already have a ClinicBooking account"), accountMails: true);
        Assert.Contains("/account/forgot-password", mails.Single(m => m.Subject == "You already have a ClinicBooking account").Text);
        Assert.Equal("Owen Owner", (await GetAccountAsync(token)).GetProperty("name").GetString());
        await Tokens.PasswordGrantAsync(app.Anonymous, email, Tokens.Password, Ct);
    }

    [Fact]
    public async Task Asking_for_a_reset_link_twice_within_a_minute_queues_one_mail()
    {
        var (_, token, email) = await Tokens.NewCustomerAsync(app, "Tina Twice", Ct);
        for (var i = 0; i < 2; i++)
        {
            using var forgot = await app.Anonymous.PostAsJsonAsync("/account/password/forgot", new { email }, Ct);
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        }
        using var account = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/account").As(token), Ct);
        var accountId = (await account.ReadJsonAsync()).GetProperty("id").GetString();

        // Queued in the request's own transaction, so counted at once: one, by the database's clock.
        await using var identity = await app.OpenDatabaseAsync(ResourceNames.IdentityDatabase);
        await using var count = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM outbox_messages WHERE account_id = $1 AND message_type = 'ResetPassword'", identity)
        {
            Parameters = { new() { Value = accountId } },
        };
        Assert.Equal(1L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Forgot_password_resets_the_password_once_and_the_link_then_fails()
    {
        var (customerId, token, email) = await Tokens.NewCustomerAsync(app, "Rita Reset", Ct);

        // The answer is the same whether or not an address has an account.
        using var unknown = await app.Anonymous.PostAsJsonAsync("/account/password/forgot", new { email = Http.UniqueEmail("nobody") }, Ct);
        using var known = await app.Anonymous.PostAsJsonAsync("/account/password/forgot", new { email = email.ToUpperInvariant() }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(await unknown.Content.ReadAsStringAsync(Ct), await known.Content.ReadAsStringAsync(Ct));

        var mails = await app.Inbox.WaitForAsync(email, m => m.Any(x => x.Subject == "Set a new password"), accountMails: true);
        var link = Query(Assert.Single(mails, m => m.Subject == "Set a new password").LinkTo("/account/reset-password"));

        const string newPassword = "a new and longer passphrase";
        using var reset = await app.Anonymous.PostAsJsonAsync("/account/password/reset",
            new { accountId = link["account"], token = link["token"], newPassword }, Ct);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        // The new password signs in, the old one no longer, and the tokens issued before stop.
        await Tokens.PasswordGrantAsync(app.Anonymous, email, newPassword, Ct);
        using (var old = await Tokens.RequestTokenAsync(app.Anonymous, email, Tokens.Password, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        }
        await Http.WaitUntilAsync(async () =>
        {
            using var response = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/customers/{customerId}").As(token), Ct);
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, seconds: 5);

        // The link worked once: used again, it is refused and sets nothing.
        using var replay = await app.Anonymous.PostAsJsonAsync("/account/password/reset",
            new { accountId = link["account"], token = link["token"], newPassword = "yet another passphrase" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("not valid any more", await replay.Content.ReadAsStringAsync(Ct));
        using var replayed = await Tokens.RequestTokenAsync(app.Anonymous, email, "yet another passphrase", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        await Tokens.PasswordGrantAsync(app.Anonymous, email, newPassword, Ct);
    }

    [Fact]
    public async Task An_email_change_takes_effect_only_through_the_link_sent_to_the_new_address()
    {
        var (customerId, token, email) = await Tokens.NewCustomerAsync(app, "Eli Change", Ct);
        var newEmail = Http.UniqueEmail("eli.new");

        // The current password proves it is the person; editing the customer record cannot move the address.
        using (var wrong = await PostAsync("/account/email", new { newEmail, currentPassword = "not the password" }, token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        using (var edit = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/customers/{customerId}")
               { Content = JsonContent.Create(new { name = "Eli Change", email = newEmail }) }.As(token), Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, edit.StatusCode);
            Assert.Contains("/account/email", await edit.Content.ReadAsStringAsync(Ct));
        }
        using (var asked = await PostAsync("/account/email", new { newEmail, currentPassword = Tokens.Password }, token))
        {
            Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        }

        // Nothing changes until the link is followed.
        var mail = Assert.Single(await app.Inbox.WaitForAsync(newEmail, m => m.Count >= 1, accountMails: true));
        Assert.Equal("Confirm your new email address", mail.Subject);
        Assert.Equal(email, (await GetAccountAsync(token)).GetProperty("email").GetString());
        using (var early = await Tokens.RequestTokenAsync(app.Anonymous, newEmail, Tokens.Password, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        }

        var link = Query(mail.LinkTo("/account/confirm-email"));
        Assert.Equal(newEmail, link["email"]);
        // The link names its address: another address with its token is refused.
        using (var other = await app.Anonymous.PostAsJsonAsync("/account/email/confirm",
                   new { accountId = link["account"], newEmail = Http.UniqueEmail("thief"), token = link["token"] }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        }
        using (var confirmed = await app.Anonymous.PostAsJsonAsync("/account/email/confirm",
                   new { accountId = link["account"], newEmail, token = link["token"] }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        }

        // The new address signs in, the old one no longer; the old address is told; the customer record follows.
        var newToken = await Tokens.PasswordGrantAsync(app.Anonymous, newEmail, Tokens.Password, Ct);
        using (var old = await Tokens.RequestTokenAsync(app.Anonymous, email, Tokens.Password, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        }
        var account = await GetAccountAsync(newToken);
        Assert.Equal(newEmail, account.GetProperty("email").GetString());
        Assert.True(account.GetProperty("emailVerified").GetBoolean());
        var notice = await app.Inbox.WaitForAsync(email, m => m.Any(x => x.Subject == "Your email address was changed"), accountMails: true);
        Assert.Contains(newEmail, notice.Single(m => m.Subject == "Your email address was changed").Text);
        await Http.WaitUntilAsync(async () =>
        {
            using var response = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/customers/{customerId}").As(newToken), Ct);
            return (await response.ReadJsonAsync()).GetProperty("email").GetString() == newEmail;
        }, seconds: 30);

        // The link is spent.
        using var replay = await app.Anonymous.PostAsJsonAsync("/account/email/confirm", new { accountId = link["account"], newEmail, token = link["token"] }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
    }

    private async Task AssertSignInRefusedAsync(string email, string password)
    {
        using var response = await Tokens.RequestTokenAsync(app.Anonymous, email, password, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not right", await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<System.Text.Json.JsonElement> GetAccountAsync(string token)
    {
        using var response = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/account").As(token), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private Task<HttpResponseMessage> PostAsync(string url, object body, string token) =>
        app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) }.As(token), Ct);

    private static Dictionary<string, string> Query(Uri link) =>
        QueryHelpers.ParseQuery(link.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
}
