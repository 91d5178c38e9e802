using System.Globalization;
using System.Security.Claims;
using ClinicBooking.IdentityService.Data;
using ClinicBooking.IdentityService.Extensions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ClinicBooking.IdentityService.Connect;

/// <summary>
/// What a token says about an account: read afresh from the database at every sign-in and refresh, so a
/// role or clinic taken away stops working at the next refresh at the latest.
/// </summary>
public sealed class AccessTokenClaims(UserManager<Account> accounts, IOptions<IdentityServiceOptions> options, AccessRevocations revocations)
{
    public async Task<ClaimsPrincipal> ForAccountAsync(Account account, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity("ClinicBooking", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, account.Id)
            .SetClaim(Claims.Name, account.Name)
            .SetClaim(Claims.Email, account.Email)
            .SetClaims(Claims.Role, [.. await accounts.GetRolesAsync(account)]);
        if (account.CustomerId is { } customerId)
        {
            identity.SetClaim(ClaimNames.CustomerId, customerId.ToString(CultureInfo.InvariantCulture));
        }
        var clinics = (await accounts.GetClaimsAsync(account)).Where(c => c.Type == ClaimNames.ClinicId).Select(c => c.Value);
        identity.SetClaims(ClaimNames.ClinicId, [.. clinics]);
        // Kept in refresh tokens and codes too: a refresh after the stamp moved on (revocation) is refused.
        var stamp = Accounts.AccountAccess.StampOf(account);
        identity.SetClaim(ClaimNames.AccessStamp, stamp);
        await revocations.RecordIssuedAsync(account.Id, stamp);
        return Issue(identity, scopes);
    }

    /// <summary>A machine client (client credentials) acting for itself.</summary>
    public ClaimsPrincipal ForClient(string clientId, string? displayName, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity("ClinicBooking", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId)
            .SetClaim(Claims.Name, displayName ?? clientId)
            .SetClaims(Claims.Role, [Roles.Service]);
        return Issue(identity, scopes);
    }

    private ClaimsPrincipal Issue(ClaimsIdentity identity, IEnumerable<string> scopes)
    {
        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(scopes);
        // Every access token is for the API, whatever scopes were asked for: the services check this audience.
        principal.SetResources(ApiAudience.Name);
        principal.SetAccessTokenLifetime(options.Value.AccessTokenLifetime);
        identity.SetDestinations(claim => claim.Type switch
        {
            // The web app reads who is signed in (and which pages to offer) from the identity token.
            Claims.Name or Claims.Email or Claims.Role or ClaimNames.CustomerId or ClaimNames.ClinicId when principal.HasScope(Scopes.OpenId) =>
                [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return principal;
    }
}
