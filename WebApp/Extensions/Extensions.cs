using ClinicBooking.WebApp.Api;
using ClinicBooking.WebApp.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Http.Resilience;

namespace ClinicBooking.WebApp.Extensions;

public static class Extensions
{
    /// <summary>The web app's services: sign-in, the API client, and server-rendered Razor components.</summary>
    public static IHostApplicationBuilder AddWebAppServices(this IHostApplicationBuilder builder)
    {
        builder.AddWebAuthentication();
        builder.Services.AddRazorComponents();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<AccessTokenHandler>();
        builder.Services.AddTransient<VisitorAddressHandler>();
        // Behind a TLS-terminating proxy the page must know it was https (its cookies stay Secure) and whose
        // address the request came from (the gateway limits each visitor). Only loopback proxies are trusted
        // by default; a deployment names its own in ForwardedHeaders settings.
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);

        // The gateway by its Aspire resource name, resolved by service discovery. Writes are not retried by the
        // client: a write that timed out may have happened, and only a booking carries a key that makes its
        // repeat safe (the page sends it again when the person retries).
        // A 429 is the gateway limiting one visitor: it is neither retried nor counted by the circuit breaker,
        // which otherwise opened on one visitor's 429s and failed every visitor's pages.
        // (RemoveAllResilienceHandlers is marked experimental: it takes off the defaults' handler to put this one on.)
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<ClinicBookingApi>(http => http.BaseAddress = new Uri($"http://{ResourceNames.Gateway}"))
            .AddHttpMessageHandler<AccessTokenHandler>()
            .AddHttpMessageHandler<VisitorAddressHandler>()
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(options =>
            {
                options.Retry.DisableForUnsafeHttpMethods();
                options.Retry.ShouldHandle = args => ValueTask.FromResult(IsServerFailure(args.Outcome));
                options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsServerFailure(args.Outcome));
            });
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>What says the gateway or a service failed: no answer, or a 5xx (a 503 shed included).</summary>
    private static bool IsServerFailure(Polly.Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
        || (outcome.Result is { } response && (int)response.StatusCode >= 500);

    public static WebApplication UseWebAppPipeline(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // In every environment, Development included (the AppHost's local run): a page never shows a stack trace.
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }
}
