using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;

namespace ClinicBooking.IntegrationTests;

/// <summary>A mail as it arrived at the local mail server, parsed as a mail client would (MimeKit).</summary>
public sealed record ReceivedMail(string Id, string To, string Subject, MimeMessage Message)
{
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

    /// <summary>Every mail to <paramref name="address"/> so far, oldest first.</summary>
    public async Task<List<ReceivedMail>> ToAsync(string address)
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
        return mails;
    }

    /// <summary>Waits until <paramref name="address"/> has mail that <paramref name="done"/> accepts (30 s at most) and returns it all.</summary>
    public async Task<List<ReceivedMail>> WaitForAsync(string address, Func<List<ReceivedMail>, bool> done, TimeSpan? timeout = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var mails = await ToAsync(address);
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
