using ClinicBooking.IdentityService.Accounts;
using ClinicBooking.IdentityService.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
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
        connect.MapMethods("/userinfo", [HttpMethods.Get, HttpMethods.Post], (Delegate)UserInfo).DisableAntiforgery();
        return app;
    }

    /// <summary>The token endpoint: a password, a client's credentials, an authorization code or a refresh token in; tokens out.</summary>
    public static async Task<IResult> Exchange(
        HttpContext context, UserManager<Account> accounts, PasswordCheck passwords, AccountAccess access,
        IOpenIddictApplicationManager applications, AccessTokenClaims claims)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not attach the token request.");

        if (request.IsPasswordGrantType())
        {
            var outcome = await passwords.CheckAsync(request.Username, request.Password, context, context.RequestAborted);
            return outcome.Account is { } account
                ? SignIn(await claims.ForAccountAsync(account, request.GetScopes()))
                : Refuse(Errors.InvalidGrant, outcome.Error!);
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
            if (account is null)
            {
                return Refuse(Errors.InvalidGrant, "The account no longer signs in.");
            }
            // Issued before access was taken away (a password change, a clinic removed, a lock): sign in again.
            if (granted.Principal!.GetClaim(ClaimNames.AccessStamp) != AccountAccess.StampOf(account))
            {
                return Refuse(Errors.InvalidGrant, "The account's access changed since this grant; sign in again.");
            }
            if (await access.RefusalAsync(account, context.RequestAborted) is { } refusal)
            {
                return Refuse(Errors.InvalidGrant, refusal);
            }
            return SignIn(await claims.ForAccountAsync(account, granted.Principal!.GetScopes()));
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    /// <summary>
    /// The authorization endpoint (code flow): a browser not signed in yet goes to the login page and comes back
    /// here. The clients are first-party, so there is no consent screen.
    /// </summary>
    public static async Task<IResult> Authorize(HttpContext context, UserManager<Account> accounts, AccountAccess access, AccessTokenClaims claims)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not attach the authorization request.");
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var account = session.Succeeded ? await accounts.GetUserAsync(session.Principal) : null;
        // A session cookie mints no token for an account that may no longer have one (locked, deactivated).
        if (account is not null && await access.RefusalAsync(account, context.RequestAborted) is not null)
        {
            await context.SignOutAsync(IdentityConstants.ApplicationScheme);
            account = null;
        }
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

    /// <summary>
    /// OIDC userinfo: who the access token's account is, read afresh. A revoked token never gets here: the
    /// shared authentication step (UseDefaultAuthentication) answers it 401 first.
    /// </summary>
    public static async Task<IResult> UserInfo(HttpContext context, UserManager<Account> accounts)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var account = result.Succeeded ? await accounts.FindByIdAsync(result.Principal!.GetClaim(Claims.Subject) ?? "") : null;
        if (account is null)
        {
            return Results.Challenge(ErrorProperties(Errors.InvalidToken, "The access token is not valid."),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }
        return Results.Ok(new Dictionary<string, object?>
        {
            [Claims.Subject] = account.Id,
            [Claims.Name] = account.Name,
            [Claims.Email] = account.Email,
            [Claims.Role] = await accounts.GetRolesAsync(account),
        });
    }

    /// <summary>
    /// Ends the browser session and sends the browser back to the client's registered address. Signing out
    /// changes state, so a link on another site must not do it: a request is honoured at once only with an
    /// id_token_hint of the signed-in account (which only its own client holds), or as the post of the
    /// confirmation form this shows otherwise, with its antiforgery token.
    /// </summary>
    public static async Task<IResult> LogOut(HttpContext context, IAntiforgery antiforgery)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("OpenIddict did not attach the end-session request.");
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var hint = string.IsNullOrEmpty(request.IdTokenHint) ? null
            : (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var hinted = session.Succeeded && hint is not null
            && hint.GetClaim(Claims.Subject) == session.Principal!.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
        if (session.Succeeded && !hinted)
        {
            if (!HttpMethods.IsPost(context.Request.Method) || !await antiforgery.IsRequestValidAsync(context))
            {
                return ConfirmSignOut(context, antiforgery, request);
            }
        }
        await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>"Sign out?": a form that posts the same request back, with an antiforgery token.</summary>
    private static IResult ConfirmSignOut(HttpContext context, IAntiforgery antiforgery, OpenIddictRequest request)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        static string E(string? value) => System.Net.WebUtility.HtmlEncode(value ?? "");
        var fields = string.Concat(request.GetParameters()
            .Where(p => p.Key is Parameters.ClientId or Parameters.PostLogoutRedirectUri or Parameters.State)
            .Select(p => $"""<input type="hidden" name="{E(p.Key)}" value="{E((string?)p.Value)}" />"""));
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>Sign out · ClinicBooking</title>
            <style>body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
            button { margin-top: 1rem; padding: .6rem 1.2rem; font-size: 1rem; background: #0b5cad; color: #fff; border: 0; border-radius: 4px; }</style>
            </head>
            <body><main>
            <h1>Sign out?</h1>
            <p>You are signed in to ClinicBooking. Sign out on this device?</p>
            <form method="post" action="{{E(context.Request.PathBase + context.Request.Path)}}">
            <input type="hidden" name="{{E(tokens.FormFieldName)}}" value="{{E(tokens.RequestToken)}}" />{{fields}}
            <button type="submit">Sign out</button>
            </form>
            </main></body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }

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
