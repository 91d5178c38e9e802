using Microsoft.AspNetCore.Authentication;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Gateway.Routing;
using Yarp.ReverseProxy.Configuration;

namespace ClinicBooking.Gateway.Access;

/// <summary>
/// What the gateway enforces before it forwards anything: a token that does not validate is refused (401)
/// everywhere; an operation its service does not declare public needs a signed-in caller (401); and where the
/// path's id names someone else's clinic or customer record, the answer is 404 straight away, since the id
/// alone says whose it is. Which operations are public the services declare (<see cref="DeclaredAccess"/>).
/// The services enforce the same rules and the finer ones (whose booking it is) themselves.
/// </summary>
public static class GatewayAccess
{
    /// <summary>YARP's name for "no authorization": the gateway's own step below decides instead.</summary>
    public const string Anonymous = "Anonymous";

    /// <summary>The gateway's own administrator operations (<c>POST /clinics</c>, <c>GET /shards</c>).</summary>
    public const string Administrators = "Administrators";

    public static IHostApplicationBuilder AddGatewayAccess(this IHostApplicationBuilder builder)
    {
        builder.AddDefaultAuthentication();
        builder.Services.AddAuthorizationBuilder().AddPolicy(Administrators, policy => policy.RequireAssertion(context => Caller.From(context.User).IsAdministrator));
        builder.Services.AddSingleton<DeclaredAccess>();
        builder.Services.AddHealthChecks().AddCheck<DeclaredAccess>("declared-access");
        // The fan-outs ask the cells on the caller's behalf: the cells see the caller's own token.
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<ForwardCallerToken>();
        return builder;
    }

    /// <summary>A route the proxy step below checks against the services' declarations.</summary>
    public static RouteConfig Checked(this RouteConfig route) => route with { AuthorizationPolicy = Anonymous };

    /// <summary>
    /// A route whose pages are not API operations and whose service decides every request itself: the sign-in
    /// protocol (OAuth's endpoints, the login page, in IdentityService), the local video provider's join pages
    /// (ConsultationService; the signed link is the credential, as at a video service) and the local payment
    /// provider's payment pages (PaymentService; the page's address is the payer's credential, as at a provider).
    /// </summary>
    public static RouteConfig ServiceDecides(this RouteConfig route) => route with
    {
        AuthorizationPolicy = Anonymous,
        Metadata = new Dictionary<string, string>(route.Metadata ?? new Dictionary<string, string>()) { [ServiceDecidesKey] = "true" },
    };

    /// <summary>A route not routed by clinic whose path still names one (a clinic's staff, in IdentityService).</summary>
    public static RouteConfig OfClinic(this RouteConfig route, string clinicIdParameter) => route with
    {
        Metadata = new Dictionary<string, string>(route.Metadata ?? new Dictionary<string, string>()) { [ClinicParameterKey] = clinicIdParameter },
    };

    private const string ClinicParameterKey = "Access.ClinicParameter";
    private const string ServiceDecidesKey = "Access.SignInProtocol";

    /// <summary>
    /// The proxy step that lets through what the operation's service declares public; otherwise asks for a
    /// signed-in caller, and refuses, with the 404 an unknown id gets, a staff member's request for another
    /// clinic's data and a customer's request for another customer's record.
    /// </summary>
    public static async Task CheckAsync(HttpContext context, Func<Task> next)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (route.Metadata?.ContainsKey(ServiceDecidesKey) == true)
        {
            await next();
            return;
        }
        if (await context.RequestServices.GetRequiredService<DeclaredAccess>().GetAsync(context.RequestAborted) is not { } operations)
        {
            context.Response.Headers.RetryAfter = "1";
            await context.WriteProblemAsync(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                "The services have not described their APIs to the gateway yet; retry in a moment.");
            return;
        }
        if (operations.IsPublic(context.Request.Method, context.Request.Path))
        {
            await next();
            return;
        }
        if (context.User.Identity?.IsAuthenticated != true)
        {
            await context.ChallengeAsync();
            return;
        }
        var caller = Caller.From(context.User);
        if (!caller.IsAdministrator && !IsCallersOwn(context, route, caller))
        {
            await context.WriteProblemAsync(StatusCodes.Status404NotFound, "Not found", $"Nothing exists at {context.Request.Path}.");
            return;
        }
        await next();
    }

    private static bool IsCallersOwn(HttpContext context, RouteConfig route, Caller caller)
    {
        if (route.Metadata?.TryGetValue(ClinicParameterKey, out var parameter) == true)
        {
            // A route not routed by clinic whose path names one (a clinic's staff or patients).
            return IsStaffsOwn(caller, ClinicIds.Parse(context.GetRouteValue(parameter) as string));
        }
        if (route.ClusterId == Clusters.CustomerService)
        {
            // /customers/{id}/...: a customer's own record only. Other callers are the service's to refuse.
            var first = (context.GetRouteValue("rest") as string)?.Split('/')[0];
            return caller.CustomerId is not { } own || ClinicIds.Parse(first) is not { } id || id == own;
        }
        // Clinic-scoped routes: a staff member's own clinics only. Customers may reach their bookings there,
        // which only the cell can tell (it takes a lookup).
        return IsStaffsOwn(caller, ShardRouting.ClinicOf(context));
    }

    private static bool IsStaffsOwn(Caller caller, long? clinicId) =>
        !caller.IsStaff || clinicId is null || caller.ClinicIds.Contains(clinicId.Value);
}

/// <summary>Passes the caller's Authorization header on to the cells a fan-out asks.</summary>
public sealed class ForwardCallerToken(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext?.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
