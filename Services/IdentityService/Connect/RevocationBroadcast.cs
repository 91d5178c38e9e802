using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;

namespace ClinicBooking.IdentityService.Connect;

/// <summary>
/// OpenIddict's token manager, which also tells every API when it revokes a token: the other services read
/// access tokens with the public key alone and would otherwise take a revoked one until it expires. Every way
/// OpenIddict revokes goes through here: a client's <c>/connect/revoke</c> (RFC 7009) and a replayed code or
/// refresh token (the whole grant). An access token is revoked by itself; a refresh token ends its grant
/// (RFC 7009 section 2.1: the access tokens issued with it too), so a device that signs out loses its access
/// while the account's other sign-ins keep theirs. Published through <see cref="AccessRevocations"/>.
/// </summary>
public sealed class RevocationBroadcast<TToken>(
    IOpenIddictTokenCache<TToken> cache, ILogger<OpenIddictTokenManager<TToken>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options, IOpenIddictTokenStore<TToken> store, AccessRevocations revocations)
    : OpenIddictTokenManager<TToken>(cache, logger, options, store) where TToken : class
{
    public override async ValueTask<bool> TryRevokeAsync(TToken token, CancellationToken cancellationToken = default)
    {
        if (!await base.TryRevokeAsync(token, cancellationToken))
        {
            return false;
        }
        var grant = await GetAuthorizationIdAsync(token, cancellationToken);
        var refresh = await HasTypeAsync(token, OpenIddictConstants.TokenTypeIdentifiers.RefreshToken, cancellationToken);
        await revocations.RevokeTokenOrGrantAsync(refresh && grant is not null ? grant : (await GetIdAsync(token, cancellationToken))!);
        return true;
    }

    public override async ValueTask<long> RevokeByAuthorizationIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        var revoked = await base.RevokeByAuthorizationIdAsync(identifier, cancellationToken);
        await revocations.RevokeTokenOrGrantAsync(identifier);
        return revoked;
    }
}
