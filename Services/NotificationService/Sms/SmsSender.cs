using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PhoneNumbers;
using Twilio.Clients;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;

namespace ClinicBooking.NotificationService.Sms;

/// <summary>A text message to one phone number (E.164); <see cref="Reference"/> names the notification it carries.</summary>
public sealed record SmsMessage(string To, string Body, string Reference);

/// <summary>Where text messages go: a provider (<see cref="TwilioSmsSender"/>), or the local <see cref="FakeSmsSender"/>.</summary>
public interface ISmsSender
{
    /// <summary>Hands the message to the provider; throws when it was not accepted.</summary>
    Task SendAsync(SmsMessage message, CancellationToken ct);
}

/// <summary>The SMS settings (section <c>Sms</c>).</summary>
public sealed class SmsOptions
{
    public const string Section = "Sms";

    /// <summary>
    /// <c>Twilio</c> (with <see cref="Twilio"/>'s settings) or <c>Fake</c>, the local provider that records what
    /// it is sent (<c>/operations/fake-sms</c>). No default: a deployment says which, so texts never vanish into
    /// the fake unnoticed.
    /// </summary>
    [Required(ErrorMessage = "Sms:Provider must say where text messages go: Twilio or Fake.")]
    [RegularExpression("^(Twilio|Fake)$", ErrorMessage = "Sms:Provider is Twilio or Fake.")]
    public string? Provider { get; set; }

    /// <summary>The country a phone number written without its +country code is read in (ISO 3166 code).</summary>
    [Required]
    public string DefaultRegion { get; set; } = "GB";

    /// <summary>How many messages a second at most: the provider's limit.</summary>
    [Range(1, 10_000)]
    public int MaxPerSecond { get; set; } = 10;

    public TwilioOptions Twilio { get; set; } = new();

    public bool IsFake => Provider == "Fake";

    /// <summary>Twilio needs its account and a sender; the fake needs nothing.</summary>
    public bool IsComplete => IsFake || Twilio is { AccountSid.Length: > 0, AuthToken.Length: > 0, From.Length: > 0 };
}

/// <summary>A Twilio account: its SID and auth token (secrets, from the environment), and the sending number.</summary>
public sealed class TwilioOptions
{
    public string? AccountSid { get; set; }
    public string? AuthToken { get; set; }

    /// <summary>The number (E.164) or messaging service SID (MG...) messages are sent from.</summary>
    public string? From { get; set; }
}

/// <summary>Phone numbers as providers take them: E.164 (<c>+442079460999</c>), read with libphonenumber.</summary>
public static class E164
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The number in E.164, or null when it is not a valid number (then nothing is sent to it).</summary>
    public static string? From(string? phone, string defaultRegion)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }
        try
        {
            var number = Util.Parse(phone, defaultRegion);
            return Util.IsValidNumber(number) ? Util.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }
}

/// <summary>Sends through Twilio's Messages API (not exercised here: this machine has no way out).</summary>
public sealed class TwilioSmsSender(IOptions<SmsOptions> options, IHttpClientFactory http) : ISmsSender
{
    public const string HttpClientName = "twilio";

    public async Task SendAsync(SmsMessage message, CancellationToken ct)
    {
        var twilio = options.Value.Twilio;
        var client = new TwilioRestClient(twilio.AccountSid, twilio.AuthToken,
            httpClient: new SystemNetHttpClient(http.CreateClient(HttpClientName)));
        var from = twilio.From!;
        var create = new CreateMessageOptions(new Twilio.Types.PhoneNumber(message.To)) { Body = message.Body };
        if (from.StartsWith("MG", StringComparison.Ordinal))
        {
            create.MessagingServiceSid = from;
        }
        else
        {
            create.From = new Twilio.Types.PhoneNumber(from);
        }
        var sent = await MessageResource.CreateAsync(create, client);
        if (sent.Status == MessageResource.StatusEnum.Failed || sent.ErrorCode is not null)
        {
            throw new InvalidOperationException($"Twilio refused the message: {sent.ErrorCode} {sent.ErrorMessage}");
        }
    }
}

/// <summary>
/// The local provider: it runs with the system, keeps what it is sent (shown at <c>/operations/fake-sms</c>), and
/// fails on demand (<c>POST /operations/fake-sms/failures</c>) so that retries can be seen working. Kept in
/// memory: it is a stand-in for a provider's log, not a record of the service.
/// </summary>
public sealed class FakeSmsSender(TimeProvider clock) : ISmsSender
{
    private readonly ConcurrentQueue<ReceivedSms> _received = new();
    private int _failNext;

    public Task SendAsync(SmsMessage message, CancellationToken ct)
    {
        if (Interlocked.Decrement(ref _failNext) >= 0)
        {
            throw new InvalidOperationException("The fake SMS provider failed on purpose (POST /operations/fake-sms/failures).");
        }
        Interlocked.Exchange(ref _failNext, 0);
        _received.Enqueue(new ReceivedSms(message.To, message.Body, message.Reference, clock.GetUtcNow()));
        return Task.CompletedTask;
    }

    public IReadOnlyList<ReceivedSms> Received(string? to) => [.. _received.Where(m => to is null || m.To == to)];

    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);
}

public sealed record ReceivedSms(string To, string Body, string Reference, DateTimeOffset ReceivedAt);

public sealed record FakeSmsFailures(int Count);

public static class FakeSmsApi
{
    /// <summary>What the fake provider received and its failures on demand: operators' (and tests') view, when it is the provider.</summary>
    public static IEndpointRouteBuilder MapFakeSms(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/operations/fake-sms").WithTags("Operations").ExcludeFromDescription().AdministratorsAndServices();
        api.MapGet("/", Ok<IReadOnlyList<ReceivedSms>> (string? to, FakeSmsSender sms) => TypedResults.Ok(sms.Received(to)));
        api.MapPost("/failures", NoContent (FakeSmsFailures failures, FakeSmsSender sms) =>
        {
            sms.FailNext(Math.Clamp(failures.Count, 0, 1000));
            return TypedResults.NoContent();
        });
        return app;
    }
}
