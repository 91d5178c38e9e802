using ClinicBooking.WebApp.Api;
using ClinicBooking.WebApp.Authentication;
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

        // The gateway by its Aspire resource name, resolved by service discovery. Writes are not retried by the
        // client: a write that timed out may have happened, and only a booking carries a key that makes its
        // repeat safe (the page sends it again when the person retries).
        // (RemoveAllResilienceHandlers is marked experimental: it takes off the defaults' handler to put this one on.)
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<ClinicBookingApi>(http => http.BaseAddress = new Uri($"http://{ResourceNames.Gateway}"))
            .AddHttpMessageHandler<AccessTokenHandler>()
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(options => options.Retry.DisableForUnsafeHttpMethods());
#pragma warning restore EXTEXP0001
        return builder;
    }

    public static WebApplication UseWebAppPipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }
}
