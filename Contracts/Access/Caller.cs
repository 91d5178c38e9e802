using System.Security.Claims;

namespace ClinicBooking.Contracts.Access;

/// <summary>The claims an access token carries, issued by IdentityService and read by the gateway and the services.</summary>
public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Role = "role";
    public const string ClientId = "client_id";

    /// <summary>The CustomerService customer a customer account is linked to.</summary>
    public const string CustomerId = "customer_id";

    /// <summary>A clinic a staff account works for (one claim per clinic).</summary>
    public const string ClinicId = "clinic_id";

    /// <summary>The account's access stamp when the token was issued: a token with an older one has been revoked.</summary>
    public const string AccessStamp = "stamp";

    /// <summary>The token's own id (OpenIddict's): a token revoked at <c>/connect/revoke</c> is refused by it.</summary>
    public const string TokenId = "oi_tkn_id";

    /// <summary>The grant the token came from (OpenIddict's authorization id): revoking its refresh token ends them all.</summary>
    public const string GrantId = "oi_au_id";
}

/// <summary>The roles an account (or a machine client) has. Staff accounts are never customers, and the other way round.</summary>
public static class Roles
{
    public const string Administrator = "admin";
    public const string Staff = "staff";
    public const string Customer = "customer";

    /// <summary>A service or machine client acting on its own behalf (client credentials).</summary>
    public const string Service = "service";
}

/// <summary>The audience every access token names, and that every API checks.</summary>
public static class ApiAudience
{
    public const string Name = "clinicbooking-api";
    public const string Scope = "api";
}

/// <summary>
/// Who is calling, read from a validated token, and the access rules every process applies alike. Ids of
/// clinic data carry their clinic (<see cref="ClinicIds"/>), so every rule here is decided without a lookup.
/// </summary>
public sealed class Caller
{
    public static readonly Caller Anonymous = new(null, new HashSet<string>(), null, new HashSet<long>());

    private Caller(string? subject, IReadOnlySet<string> roles, long? customerId, IReadOnlySet<long> clinicIds)
    {
        Subject = subject;
        RoleNames = roles;
        CustomerId = customerId;
        ClinicIds = clinicIds;
    }

    /// <summary>The account's (or machine client's) id; null for an anonymous caller.</summary>
    public string? Subject { get; }

    public IReadOnlySet<string> RoleNames { get; }

    /// <summary>The customer this caller is, if a customer.</summary>
    public long? CustomerId { get; }

    /// <summary>The clinics this caller works for, if staff.</summary>
    public IReadOnlySet<long> ClinicIds { get; }

    public bool IsAuthenticated => Subject is not null;

    public bool IsAdministrator => RoleNames.Contains(Roles.Administrator);

    public bool IsService => RoleNames.Contains(Roles.Service);

    public bool IsStaff => RoleNames.Contains(Roles.Staff);

    /// <summary>May manage everything under the clinic: administrators, and its own staff.</summary>
    public bool MayManageClinic(long clinicId) => IsAdministrator || (IsStaff && ClinicIds.Contains(clinicId));

    /// <summary>May read and change the customer's record and bookings: administrators and the customer.</summary>
    public bool MayActFor(long customerId) => IsAdministrator || CustomerId == customerId;

    /// <summary>Who did it, as an audit record names them: their roles and their account (or client) id.</summary>
    public string AuditName => Subject is null ? "anonymous" : $"{string.Join('+', RoleNames.Order(StringComparer.Ordinal))}:{Subject}";

    /// <summary>What the audit records of work nobody asked for in a request (the saga, expiry sweeps) name as actor.</summary>
    public const string SystemActor = "system";

    public static Caller From(ClaimsPrincipal? principal)
    {
        var subject = principal?.FindFirst(ClaimNames.Subject)?.Value;
        if (principal is null || subject is null || principal.Identity?.IsAuthenticated != true)
        {
            return Anonymous;
        }
        var roles = principal.FindAll(ClaimNames.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        long? customerId = roles.Contains(Roles.Customer) && TryParse(principal.FindFirst(ClaimNames.CustomerId)?.Value) is { } id ? id : null;
        var clinics = roles.Contains(Roles.Staff)
            ? principal.FindAll(ClaimNames.ClinicId).Select(c => TryParse(c.Value)).OfType<long>().ToHashSet()
            : new HashSet<long>();
        return new Caller(subject, roles, customerId, clinics);
    }

    private static long? TryParse(string? value) => Contracts.ClinicIds.Parse(value);
}
