using ClinicBooking.IdentityService.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>
/// How long the links in account mails work. A reset link is short-lived (it sets a password); a link that
/// verifies or changes an address lives long enough to be found in an inbox the next day. Each kind is sealed with
/// its own purpose, so no link's token works for another kind.
/// </summary>
public static class AccountLinks
{
    public static readonly TimeSpan PasswordResetLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan EmailLinkLifetime = TimeSpan.FromDays(2);

    /// <summary>The token provider of address links (verification and email change).</summary>
    public const string EmailLinkProvider = "EmailLink";

    public static IdentityBuilder AddAccountLinks(this IdentityBuilder identity)
    {
        identity.AddTokenProvider<EmailLinkTokenProvider>(EmailLinkProvider);
        identity.Services.Configure<IdentityOptions>(options =>
        {
            options.Tokens.EmailConfirmationTokenProvider = EmailLinkProvider;
            options.Tokens.ChangeEmailTokenProvider = EmailLinkProvider;
        });
        // The default provider's links are the password resets'.
        identity.Services.Configure<DataProtectionTokenProviderOptions>(options => options.TokenLifespan = PasswordResetLifetime);
        identity.Services.Configure<EmailLinkTokenProviderOptions>(options =>
        {
            options.Name = EmailLinkProvider;
            options.TokenLifespan = EmailLinkLifetime;
        });
        return identity;
    }

    /// <summary>
    /// A token as a link carries it: base64url of Identity's token, so it needs no escaping in a URL, a form or a
    /// JSON string, and reads the same wherever it is copied.
    /// </summary>
    public static string ForLink(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    /// <summary>Identity's token from a link's, or null when it is not one this service made.</summary>
    public static string? FromLink(string? token)
    {
        try
        {
            return token is null ? null : Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public sealed class EmailLinkTokenProviderOptions : DataProtectionTokenProviderOptions;

    public sealed class EmailLinkTokenProvider(
        IDataProtectionProvider protection, IOptions<EmailLinkTokenProviderOptions> options, ILogger<DataProtectorTokenProvider<Account>> logger)
        : DataProtectorTokenProvider<Account>(protection, options, logger);
}
