using System.ComponentModel.DataAnnotations;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ClinicBooking.NotificationService.Email;

/// <summary>A mail to one person: plain text and HTML, and files such as a calendar entry.</summary>
/// <param name="SenderName">The name the mail comes from (a clinic's own, <see cref="Data.ClinicSetting"/>); the configured sender's when null.</param>
/// <param name="OneClickUnsubscribe">
/// Where a mail client stops this kind of mail with one click (RFC 8058: <c>List-Unsubscribe</c> and
/// <c>List-Unsubscribe-Post</c>); none for mails a person cannot opt out of.
/// </param>
public sealed record EmailMessage(
    string ToAddress, string ToName, string Subject, string Text, string Html, string MessageId,
    IReadOnlyList<EmailAttachment> Attachments, Uri? OneClickUnsubscribe = null, string? SenderName = null);

/// <summary>A file sent with a mail; <see cref="ContentType"/> in full, e.g. <c>text/calendar; method=REQUEST</c>.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, string Content);

/// <summary>Where mail goes: an SMTP server (<see cref="SmtpEmailSender"/>), here and in production alike.</summary>
public interface IEmailSender
{
    /// <summary>Hands the mail to the server; throws when it was not accepted.</summary>
    Task SendAsync(EmailMessage message, CancellationToken ct);
}

/// <summary>
/// The mail settings: the SMTP server is the connection string <c>mail</c> (<c>smtp://host:port</c>, or
/// <c>smtps://user:password@host:465</c> for TLS with a login); locally the AppHost starts smtp4dev, a real SMTP
/// server with a web inbox, and production names its own provider's relay.
/// </summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>The sender people see.</summary>
    [Required]
    public string From { get; set; } = "ClinicBooking <no-reply@clinicbooking.local>";

    /// <summary>The SMTP server (from ConnectionStrings:mail).</summary>
    [Required(ErrorMessage = "ConnectionStrings:mail must name the SMTP server (smtp://host:port).")]
    public Uri? Server { get; set; }

    /// <summary>How many mails a second at most: the provider's limit (a herd of reminders is spread, not dropped).</summary>
    [Range(1, 10_000)]
    public int MaxPerSecond { get; set; } = 20;
}

/// <summary>Sends through an SMTP server with MailKit, one connection per mail (the server may be a provider's relay).</summary>
public sealed class SmtpEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        var settings = options.Value;
        var server = settings.Server!;
        var mail = new MimeMessage { Subject = message.Subject, MessageId = message.MessageId };
        var from = MailboxAddress.Parse(settings.From);
        mail.From.Add(message.SenderName is { } name ? new MailboxAddress(name, from.Address) : from);
        mail.To.Add(new MailboxAddress(message.ToName, message.ToAddress));
        if (message.OneClickUnsubscribe is { } unsubscribe)
        {
            mail.Headers.Add(HeaderId.ListUnsubscribe, $"<{unsubscribe.AbsoluteUri}>");
            mail.Headers.Add(HeaderId.ListUnsubscribePost, "List-Unsubscribe=One-Click");
        }
        var body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html };
        foreach (var file in message.Attachments)
        {
            body.Attachments.Add(file.FileName, System.Text.Encoding.UTF8.GetBytes(file.Content), ContentType.Parse(file.ContentType));
        }
        mail.Body = body.ToMessageBody();

        using var client = new SmtpClient();
        var security = server.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
        await client.ConnectAsync(server.Host, server.IsDefaultPort ? (server.Scheme == "smtps" ? 465 : 25) : server.Port, security, ct);
        if (server.UserInfo is { Length: > 0 } login)
        {
            var parts = login.Split(':', 2);
            await client.AuthenticateAsync(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "", ct);
        }
        await client.SendAsync(mail, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}
