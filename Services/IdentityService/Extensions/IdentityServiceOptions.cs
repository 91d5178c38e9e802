using System.ComponentModel.DataAnnotations;

namespace ClinicBooking.IdentityService.Extensions;

/// <summary>IdentityService's settings (section <c>Identity</c>).</summary>
public sealed class IdentityServiceOptions
{
    public const string Section = "Identity";

    /// <summary>
    /// The issuer tokens name: the public address clients reach IdentityService at (the gateway's). Unset, each
    /// request's own address, which suits a single service called directly.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>
    /// Lets the first-party CLI client (<see cref="Clients.Cli"/>) trade a user name and password for tokens:
    /// for scripts and tests on a local run. Off unless configured: browsers use the code flow.
    /// </summary>
    public bool PasswordGrant { get; set; }

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public AdministratorOptions Administrator { get; set; } = new();

    /// <summary>
    /// The secret the token keys are encrypted with in the database (PKCS#8, AES-256): a copy of the database
    /// alone does not give away the keys that sign every token. Kept apart from the database (the AppHost
    /// generates it into the data directory's secrets; a deployment keeps it in its secret store).
    /// </summary>
    [Required(ErrorMessage = "Identity:KeyEncryptionKey must be set: the secret the token keys are stored encrypted with.")]
    [MinLength(32, ErrorMessage = "Identity:KeyEncryptionKey must be at least 32 characters.")]
    public string? KeyEncryptionKey { get; set; }

    /// <summary>Where the browser client may be sent back to after signing in and out.</summary>
    public List<Uri> WebRedirectUris { get; set; } = [];

    public List<Uri> WebPostLogoutRedirectUris { get; set; } = [];

    /// <summary>The web app's public address: the sign-in page links to its "forgot password" page. Unset, no link.</summary>
    public Uri? WebApp { get; set; }

    /// <summary>Machine clients (client credentials), by client id: their secrets.</summary>
    public Dictionary<string, string> MachineClients { get; set; } = [];

    public sealed class AdministratorOptions
    {
        public string Email { get; set; } = "admin@clinicbooking.local";

        /// <summary>The first administrator's password; no administrator is created without one.</summary>
        public string? Password { get; set; }
    }
}

/// <summary>The OAuth clients IdentityService knows.</summary>
public static class Clients
{
    /// <summary>The first-party command-line client: public, password and refresh-token grants.</summary>
    public const string Cli = "clinicbooking-cli";

    /// <summary>The first-party browser client (the web app, the API reference page): public, code + PKCE.</summary>
    public const string Web = "clinicbooking-web";
}
