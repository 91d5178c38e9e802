using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;

namespace ClinicBooking.IntegrationTests;

/// <summary>A mail as it arrived at the local mail server, parsed as a mail client would (MimeKit).</summary>
public sealed record ReceivedMail(string Id, string To, string Subject, MimeMessage Message)
{
    /// <summary>The subjects of account mails (NotificationService's AccountMailText), which a sign-up's address also gets.</summary>
    public static readonly string[] AccountSubjects =
        ["Verify your email address", "Set a new password", "Confirm your new email address", "Your email address was changed"];

    public bool IsAccountMail => AccountSubjects.Contains(Subject);

    /// <summary>The first link in the text to the web app's <paramref name="path"/>, as a mail client shows it.</summary>
    public Uri LinkTo(string path) =>
        new(System.Text.RegularExpressions.Regex.Matches(Text, @"https?://\S+").Select(m => m.Value)
            .FirstOrDefault(url => new Uri(url).AbsolutePath == path)
            ?? throw new Xunit.Sdk.XunitException($"The mail '{Subject}' has no link to {path}: {Text}"));

    public string Text => Message.TextBody ?? "";

    /// <summary>The calendar entries it carries (text/calendar parts), as their text.</summary>
    public IReadOnlyList<string> Calendars => [.. Message.BodyParts.OfType<MimePart>()
        .Where(p => p.ContentType.MimeType == "text/calendar")
        .Select(p => { using var s = new MemoryStream(); p.Content!.DecodeTo(s); return System.Text.Encoding.UTF8.GetString(s.ToArray()); })];
}

/// <summary>The inbox of the AppHost's local mail server (smtp4dev), read through its API.</summary>
public sealed class MailInbox(HttpClient http)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The inbox's web page, where a person reads what the system sent.</summary>
    public Uri Url => http.BaseAddress!;

    /// <summary>
    /// Every mail to <paramref name="address"/> so far, oldest first: the mails about bookings, and the account mails
    /// (verification, password reset, email change) too when <paramref name="accountMails"/> says so.
    /// </summary>
    public async Task<List<ReceivedMail>> ToAsync(string address, bool accountMails = false)
    {
        var page = await http.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=5000", Ct);
        var mails = new List<ReceivedMail>();
        foreach (var summary in page.GetProperty("results").EnumerateArray()
                     .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), address, StringComparison.OrdinalIgnoreCase)))
                     .OrderBy(m => m.GetProperty("receivedDate").GetDateTimeOffset()))
        {
            var id = summary.GetProperty("id").GetString()!;
            await using var raw = await http.GetStreamAsync($"/api/messages/{id}/raw", Ct);
            var message = await MimeMessage.LoadAsync(raw, Ct);
            mails.Add(new ReceivedMail(id, address, message.Subject ?? "", message));
        }
        return accountMails ? mails : [.. mails.Where(m => !m.IsAccountMail)];
    }

    /// <summary>Waits until <paramref name="address"/> has mail that <paramref name="done"/> accepts (30 s at most) and returns it all.</summary>
    public async Task<List<ReceivedMail>> WaitForAsync(string address, Func<List<ReceivedMail>, bool> done, TimeSpan? timeout = null, bool accountMails = false)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var mails = await ToAsync(address, accountMails);
            if (done(mails))
            {
                return mails;
            }
            Assert.True(clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)),
                $"The mail {address} was waiting for did not arrive; it has: {string.Join(" | ", mails.Select(m => m.Subject))}");
            await Task.Delay(200, Ct);
        }
    }
}
