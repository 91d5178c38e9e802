using System.Security.Claims;
using ClinicBooking.IdentityService.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClinicBooking.IdentityService.Connect;

/// <summary>
/// IdentityService's own identity when it calls another service (creating the customer of a sign-up): a
/// short-lived access token it signs itself with the keys every service already trusts, so it needs no
/// round trip to its own token endpoint.
/// </summary>
public sealed class ServiceTokens(TokenKeys keys, IOptions<IdentityServiceOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly JsonWebTokenHandler _handler = new();
    private (string Token, DateTimeOffset Expires)? _current;

    public string Current()
    {
        var now = clock.GetUtcNow();
        if (_current is { } current && current.Expires - now > TimeSpan.FromMinutes(1))
        {
            return current.Token;
        }
        var expires = now + Lifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer!.AbsoluteUri,
            Audience = ApiAudience.Name,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = "at+jwt",
            SigningCredentials = keys.SigningCredentials,
            Subject = new ClaimsIdentity([
                new Claim(ClaimNames.Subject, ResourceNames.IdentityService),
                new Claim(ClaimNames.ClientId, ResourceNames.IdentityService),
                new Claim(ClaimNames.Role, Roles.Service),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
        });
        _current = (token, expires);
        return token;
    }
}
