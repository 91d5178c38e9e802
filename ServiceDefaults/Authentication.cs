using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClinicBooking.ServiceDefaults;

/// <summary>
/// Bearer-token authentication every API shares: access tokens are JWTs issued by IdentityService, checked
/// here against its signing keys (fetched once from its discovery document, <c>Identity:Url</c>), its issuer
/// and the API audience. Shaped after eShop's AddDefaultAuthentication.
/// </summary>
public static class Authentication
{
    public const string IdentityUrlKey = "Identity:Url";
    public const string AudienceKey = "Identity:Audience";

    public static IHostApplicationBuilder AddDefaultAuthentication(this IHostApplicationBuilder builder)
    {
        var identityUrl = builder.Configuration[IdentityUrlKey]
            ?? throw new InvalidOperationException($"{IdentityUrlKey} must name IdentityService's address.");
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.Authority = identityUrl;
            // Inside the app's network the services talk plain HTTP; the public edge terminates TLS.
            options.RequireHttpsMetadata = false;
            options.Audience = builder.Configuration[AudienceKey] ?? "clinicbooking-api";
            // Claims keep the names the token gives them (sub, role, customer_id), not WS-* URIs.
            options.MapInboundClaims = false;
            options.TokenValidationParameters.NameClaimType = "name";
            options.TokenValidationParameters.RoleClaimType = "role";
            // The default five minutes would keep an expired token working for that long.
            options.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new ValidatedTokenCache { MapInboundClaims = false });
        });
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return builder;
    }

    /// <summary>
    /// Authentication, then authorization. A request that carries credentials which do not validate gets 401
    /// even where no token is needed: a garbage or expired token is an error to report, not to ignore; so does
    /// a token whose access was taken away since it was issued (<see cref="AccessRevocations"/>).
    /// </summary>
    public static WebApplication UseDefaultAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        var revocations = app.Services.GetRequiredService<AccessRevocations>();
        app.Use(async (context, next) =>
        {
            // Bearer only: other schemes (a client's HTTP Basic credentials at the token endpoint) are the
            // business of the service they are for.
            if (IsBearer(context.Request.Headers.Authorization) && context.User.Identity?.IsAuthenticated != true)
            {
                await context.ChallengeAsync();
                return;
            }
            if (context.User.Identity?.IsAuthenticated == true && await revocations.IsRevokedAsync(context.User))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"The access was revoked; sign in again.\"";
                await context.WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
                    "This token's access was taken away (removed from a clinic, deactivated, locked or a changed password); sign in again.");
                return;
            }
            await next(context);
        });
        app.UseAuthorization();
        return app;
    }

    private static bool IsBearer(Microsoft.Extensions.Primitives.StringValues authorization) =>
        authorization.Any(value => value?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true);
}

/// <summary>
/// Checks each distinct token once, then remembers the verdict until the token expires (at most 5 minutes):
/// verifying the RSA signature on every request cost a light read a third of its throughput (bench/README.md).
/// Only a token that validated is remembered, keyed by its exact text, so a changed byte is checked afresh; a
/// cached token stops working at its own expiry, without the clock skew allowance.
/// </summary>
internal sealed class ValidatedTokenCache : Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private readonly Microsoft.Extensions.Caching.Memory.MemoryCache _validated = new(
        new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions { SizeLimit = 10_000 });

    public override async Task<Microsoft.IdentityModel.Tokens.TokenValidationResult> ValidateTokenAsync(
        string token, Microsoft.IdentityModel.Tokens.TokenValidationParameters validationParameters)
    {
        var now = DateTime.UtcNow;
        if (_validated.TryGetValue(token, out Microsoft.IdentityModel.Tokens.TokenValidationResult? known) && known!.SecurityToken.ValidTo > now)
        {
            // Each request gets its own copy of the identity: handlers downstream may add claims to theirs.
            return new Microsoft.IdentityModel.Tokens.TokenValidationResult
            {
                IsValid = true,
                ClaimsIdentity = known.ClaimsIdentity.Clone(),
                SecurityToken = known.SecurityToken,
                Issuer = known.Issuer,
                TokenType = known.TokenType,
            };
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated && validated.ValidTo > now)
        {
            var expires = validated.ValidTo < now + MaxAge ? validated.ValidTo : now + MaxAge;
            _validated.Set(token, result, new Microsoft.Extensions.Caching.Memory.MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpiration = new DateTimeOffset(expires, TimeSpan.Zero),
            });
        }
        return result;
    }
}

/// <summary>
/// Why an authorization requirement failed when the caller's role may do this in general, but the object
/// (another customer's, another clinic's) is not theirs: the answer is 404, exactly as for an object that does
/// not exist, so a guessed id reveals nothing.
/// </summary>
public sealed class NotYoursFailure(IAuthorizationHandler handler) : AuthorizationFailureReason(handler, "The object is not the caller's.");

/// <summary>
/// The one rule for refusals: no valid token, 401; the caller's role may never do this, 403; the caller's role
/// may, but the object is someone else's, 404. Each is a problem details document that says which.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Forbidden && result.AuthorizationFailure?.FailureReasons.Any(r => r is NotYoursFailure) == true)
        {
            await context.WriteProblemAsync(StatusCodes.Status404NotFound, "Not found", $"Nothing exists at {context.Request.Path}.");
            return;
        }
        // Challenge (401, with WWW-Authenticate) and forbid (403) leave the body to the status-code problems.
        await _default.HandleAsync(next, context, policy, result);
    }
}
