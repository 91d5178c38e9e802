using System.Globalization;
using ClinicBooking.Contracts.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ClinicBooking.WebApp.Authentication;

/// <summary>
/// Signing in: OpenID Connect, authorization code with PKCE, against IdentityService (through the gateway, the
/// issuer's address). The tokens live in this app's own sign-in cookie; the browser never holds an access token.
/// </summary>
public static class WebAuthentication
{
    public const string ClientId = "clinicbooking-web";

    public static IHostApplicationBuilder AddWebAuthentication(this IHostApplicationBuilder builder)
    {
        // The issuer: where browsers go to sign in and where the keys are published (the gateway's address).
        var authority = builder.Configuration["Identity:Authority"]
            ?? throw new InvalidOperationException("Identity:Authority (the identity issuer's URL) is not configured.");

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "clinicbooking.web";
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.AccessDeniedPath = "/denied";
                // The cookie is only as good as the access token in it: once that has expired, sign in again
                // (silently, while the identity service still knows the browser).
                options.Events.OnValidatePrincipal = async context =>
                {
                    var expiresAt = context.Properties.GetTokenValue("expires_at");
                    if (expiresAt is null || DateTimeOffset.Parse(expiresAt, CultureInfo.InvariantCulture) < DateTimeOffset.UtcNow.AddMinutes(1))
                    {
                        context.RejectPrincipal();
                        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            })
            .AddOpenIdConnect(options =>
            {
                options.Authority = authority;
                // The issuer's own scheme decides: https in production, plain http on a developer's machine.
                options.RequireHttpsMetadata = authority.StartsWith("https:", StringComparison.Ordinal);
                options.ClientId = ClientId;
                options.ResponseType = OpenIdConnectResponseType.Code;
                // Back as a plain redirect (a top-level GET), so the correlation cookies can stay SameSite=Lax.
                options.ResponseMode = OpenIdConnectResponseMode.Query;
                options.UsePkce = true;
                options.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email", "roles", ApiAudience.Scope })
                {
                    options.Scope.Add(scope);
                }
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = ClaimNames.Role;
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.SignedOutRedirectUri = "/";
            });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>Sign-in and sign-out: plain endpoints, since they answer with redirects to the identity service.</summary>
    public static IEndpointRouteBuilder MapAuthenticationEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account");
        account.MapGet("/signin", (HttpContext context, string? returnUrl) => TypedResults.Challenge(
            new AuthenticationProperties { RedirectUri = LocalUrls.LocalOrHome(context, returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme]));
        // A post with the antiforgery token (the form in the layout): a link elsewhere cannot sign someone out.
        account.MapPost("/signout", () => TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]))
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        return app;
    }
}
