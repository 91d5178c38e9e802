using ClinicBooking.WebApp.Authentication;
using ClinicBooking.WebApp.Components;
using ClinicBooking.WebApp.Extensions;

if (HealthProbe.Requested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddWebAppServices();

var app = builder.Build();

app.UseWebAppPipeline();
app.MapDefaultEndpoints();
app.MapStaticAssets();
app.MapRazorComponents<App>();
app.MapAuthenticationEndpoints();

await app.RunAsync();
return 0;
