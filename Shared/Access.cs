using System.Security.Claims;
using ClinicBooking.Contracts.Access;
using Microsoft.AspNetCore.Authorization;

namespace ClinicBooking.Shared;

/// <summary>
/// Who may call each endpoint, declared where the endpoint is mapped. Every endpoint of a service needs a
/// signed-in caller unless it says <see cref="Public{TBuilder}"/> (the fallback policy), so a new endpoint is
/// closed until someone decides otherwise. Refusals follow one rule (<see cref="NotYoursFailure"/>): no valid
/// token 401, a role that may never do this 403, someone else's object 404.
/// </summary>
internal static class Access
{
    public static IServiceCollection AddEndpointAccess(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, AccessHandler>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return services;
    }

    /// <summary>What anyone may call, signed in or not: what a patient browses before signing in.</summary>
    public static TBuilder Public<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous();

    /// <summary>Administrators and the staff of the clinic the route's id names (the id carries it: no lookup).</summary>
    public static TBuilder ClinicStaff<TBuilder>(this TBuilder builder, string parameter, bool scoped) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(new ClinicStaffRequirement(parameter, scoped)));

    /// <summary>Administrators and the customer the route's id names.</summary>
    public static TBuilder CustomerSelf<TBuilder>(this TBuilder builder, string parameter) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(new CustomerSelfRequirement(parameter)));

    // Roles are read from the token's "role" claims by Caller, whichever scheme (and role claim type) built the principal.

    /// <summary>Administrators only.</summary>
    public static TBuilder Administrators<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireAssertion(context => Caller.From(context.User).IsAdministrator));

    /// <summary>
    /// The staff of clinics, and not administrators: work done at a clinic's desk (its handler then finds the
    /// clinic, and answers 404 for another's), decided before the body is read.
    /// </summary>
    public static TBuilder DeskStaff<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireAssertion(context => Caller.From(context.User) is { IsStaff: true, IsAdministrator: false }));

    /// <summary>Administrators and services acting on their own behalf (cell-internal and operator routes).</summary>
    public static TBuilder AdministratorsAndServices<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireAssertion(context => Caller.From(context.User) is { IsAdministrator: true } or { IsService: true }));

    /// <summary>
    /// For a clinic named in the body (or found by a lookup): administrators and its staff pass; its refusal
    /// follows the same rule as <see cref="ClinicStaff{TBuilder}"/>.
    /// </summary>
    public static void RequireClinic(ClaimsPrincipal user, long clinicId, string what)
    {
        var caller = Caller.From(user);
        if (!caller.MayManageClinic(clinicId))
        {
            throw caller.IsStaff ? ProblemException.NotFound(what) : Forbidden();
        }
    }

    /// <summary>A booking (or its slot) is its clinic's staff's and its customer's business, and no one else's (404).</summary>
    public static void RequireBookingParty(ClaimsPrincipal user, long clinicId, long customerId, string what)
    {
        var caller = Caller.From(user);
        if (!caller.MayManageClinic(clinicId) && caller.CustomerId != customerId)
        {
            throw caller.IsStaff || caller.CustomerId is not null ? ProblemException.NotFound(what) : Forbidden();
        }
    }

    /// <summary>
    /// Deactivated clinics, doctors and shifts are their managers' business, not the public's: asking for them
    /// (<c>includeInactive=true</c>) takes the clinic's staff or an administrator (for all clinics, an
    /// administrator). Without a token, 401; another role, 403.
    /// </summary>
    public static void RequireToSeeInactive(ClaimsPrincipal user, long? clinicId)
    {
        var caller = Caller.From(user);
        if (!caller.IsAuthenticated)
        {
            throw new ProblemException(StatusCodes.Status401Unauthorized, "Unauthorized",
                "Deactivated entries are shown to their clinic's staff and administrators only: sign in, or leave includeInactive out.");
        }
        if (clinicId is { } id ? !caller.MayManageClinic(id) : !caller.IsAdministrator)
        {
            throw new ProblemException(StatusCodes.Status403Forbidden, "Forbidden",
                "Deactivated entries are shown to their clinic's staff and administrators only; leave includeInactive out.");
        }
    }

    public static ProblemException Forbidden() =>
        new(StatusCodes.Status403Forbidden, "Forbidden", "Your account may not do this.");

    private sealed record ClinicStaffRequirement(string Parameter, bool Scoped) : IAuthorizationRequirement;

    private sealed record CustomerSelfRequirement(string Parameter) : IAuthorizationRequirement;

    private sealed class AccessHandler : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            var caller = Caller.From(context.User);
            foreach (var requirement in context.PendingRequirements.ToList())
            {
                switch (requirement)
                {
                    case ClinicStaffRequirement clinic when RouteId(context, clinic.Parameter) is { } id:
                        var clinicId = clinic.Scoped ? ClinicIds.ClinicOf(id) : id;
                        Decide(context, requirement, caller.MayManageClinic(clinicId), notYours: caller.IsStaff);
                        break;
                    case CustomerSelfRequirement customer when RouteId(context, customer.Parameter) is { } id:
                        Decide(context, requirement, caller.MayActFor(id), notYours: caller.CustomerId is not null);
                        break;
                }
            }
            return Task.CompletedTask;
        }

        private void Decide(AuthorizationHandlerContext context, IAuthorizationRequirement requirement, bool allowed, bool notYours)
        {
            if (allowed)
            {
                context.Succeed(requirement);
            }
            else if (notYours)
            {
                context.Fail(new NotYoursFailure(this));
            }
        }

        private static long? RouteId(AuthorizationHandlerContext context, string parameter) =>
            context.Resource is HttpContext http ? ClinicIds.Parse(http.GetRouteValue(parameter) as string) : null;
    }
}
