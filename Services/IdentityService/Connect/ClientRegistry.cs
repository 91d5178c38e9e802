using ClinicBooking.IdentityService.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ClinicBooking.IdentityService.Connect;

/// <summary>
/// Registers the OAuth clients from configuration at every start, so what the database holds follows what is
/// configured (a redirect address added, the password grant switched off, a machine client's secret rotated).
/// </summary>
public sealed class ClientRegistry(IOpenIddictApplicationManager applications, IOptions<IdentityServiceOptions> options)
{
    public async Task SyncAsync(CancellationToken ct)
    {
        var settings = options.Value;

        var cli = new OpenIddictApplicationDescriptor
        {
            ClientId = Clients.Cli,
            ClientType = ClientTypes.Public,
            DisplayName = "ClinicBooking command line",
        };
        cli.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Revocation, Permissions.GrantTypes.RefreshToken, ApiScope]);
        if (settings.PasswordGrant)
        {
            cli.Permissions.Add(Permissions.GrantTypes.Password);
        }
        await UpsertAsync(cli, ct);

        var web = new OpenIddictApplicationDescriptor
        {
            ClientId = Clients.Web,
            ClientType = ClientTypes.Public,
            DisplayName = "ClinicBooking web",
        };
        web.Permissions.UnionWith([
            Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession, Permissions.Endpoints.Revocation,
            Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            Permissions.Scopes.Email, Permissions.Scopes.Profile, Permissions.Scopes.Roles, ApiScope,
        ]);
        web.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        web.RedirectUris.UnionWith(settings.WebRedirectUris);
        web.PostLogoutRedirectUris.UnionWith(settings.WebPostLogoutRedirectUris);
        await UpsertAsync(web, ct);

        foreach (var (clientId, secret) in settings.MachineClients)
        {
            var machine = new OpenIddictApplicationDescriptor
            {
                ClientId = clientId,
                ClientSecret = secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = clientId,
            };
            machine.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials, ApiScope]);
            await UpsertAsync(machine, ct);
        }
    }

    private const string ApiScope = Permissions.Prefixes.Scope + ApiAudience.Scope;

    private async Task UpsertAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken ct)
    {
        var existing = await applications.FindByClientIdAsync(descriptor.ClientId!, ct);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, ct);
        }
        else
        {
            await applications.UpdateAsync(existing, descriptor, ct);
        }
    }
}
