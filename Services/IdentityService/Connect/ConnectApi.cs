using ClinicBooking.IdentityService.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ClinicBooking.IdentityService.Connect;

/// <summary>
/// The OpenID Connect endpoints OpenIddict leaves to the application (passthrough): it has checked the
/// protocol (client, grant, PKCE, redirect address) before these run; they decide who the caller is.
/// </summary>
public static class ConnectApi
{
    public static IEndpointRouteBuilder MapConnectApi(this IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/connect").AllowAnonymous().ExcludeFromDescription();
        connect.MapPost("/token", Exchange).DisableAntiforgery();
        connect.MapMethods("/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)Authorize).DisableAntiforgery();
        connect.MapMethods("/logout", [HttpMethods.Get, HttpMethods.Post], (Delegate)LogOut).DisableAntiforgery();
        return app;
    }

    /// <summary>The token endpoint: a password, a client's credentials, an authorization code or a refresh token in; tokens out.</summary>
    public static async Task<IResult> Exchange(
        HttpContext context, UserManager<Account> accounts, SignInManager<Account> signIn,
        IOpenIddictApplicationManager applications, AccessTokenClaims claims)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not attach the token request.");

        if (request.IsPasswordGrantType())
        {
            var account = await accounts.FindByNameAsync(request.Username ?? "");
            if (account is null)
            {
                return Refuse(Errors.InvalidGrant, WrongCredentials);
            }
            // Counts the failure towards the lockout, and refuses a locked account before checking its password.
            var result = await signIn.CheckPasswordSignInAsync(account, request.Password ?? "", lockoutOnFailure: true);
            if (result.IsLockedOut)
            {
                return Refuse(Errors.InvalidGrant, LockedOut);
            }
            return result.Succeeded
                ? SignIn(await claims.ForAccountAsync(account, request.GetScopes()))
                : Refuse(Errors.InvalidGrant, WrongCredentials);
        }

        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!)
                ?? throw new InvalidOperationException("OpenIddict authenticated a client it cannot find.");
            return SignIn(claims.ForClient(request.ClientId!, await applications.GetDisplayNameAsync(application), request.GetScopes()));
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var granted = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var account = await accounts.FindByIdAsync(granted.Principal?.GetClaim(Claims.Subject) ?? "");
            if (account is null || await accounts.IsLockedOutAsync(account))
            {
                return Refuse(Errors.InvalidGrant, "The account no longer signs in.");
            }
            return SignIn(await claims.ForAccountAsync(account, granted.Principal!.GetScopes()));
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    /// <summary>
    /// The authorization endpoint (code flow): a browser not signed in yet goes to the login page and comes back
    /// here. The clients are first-party, so there is no consent screen.
    /// </summary>
    public static async Task<IResult> Authorize(HttpContext context, UserManager<Account> accounts, AccessTokenClaims claims)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not attach the authorization request.");
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var account = session.Succeeded ? await accounts.GetUserAsync(session.Principal) : null;
        if (account is null || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Results.Forbid(ErrorProperties(Errors.LoginRequired, "The user is not signed in."),
                    [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            }
            var parameters = context.Request.HasFormContentType ? [.. context.Request.Form] : context.Request.Query.ToList();
            var returnUrl = context.Request.PathBase + context.Request.Path + QueryString.Create(
                parameters.Where(p => p.Key != Parameters.Prompt).Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())));
            return Results.Challenge(new AuthenticationProperties { RedirectUri = returnUrl }, [IdentityConstants.ApplicationScheme]);
        }
        return SignIn(await claims.ForAccountAsync(account, request.GetScopes()));
    }

    /// <summary>Ends the browser session and sends the browser back to the client's registered address.</summary>
    public static async Task<IResult> LogOut(HttpContext context)
    {
        await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private const string WrongCredentials = "The email or password is not right.";
    private const string LockedOut = "Too many failed sign-ins: the account is locked for a while. Try again later.";

    private static IResult SignIn(System.Security.Claims.ClaimsPrincipal principal) =>
        Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(ErrorProperties(error, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static AuthenticationProperties ErrorProperties(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });
}
