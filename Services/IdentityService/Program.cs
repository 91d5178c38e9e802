using ClinicBooking.IdentityService.Extensions;

// IdentityService: accounts (ASP.NET Core Identity) and tokens (OpenIddict). Every other service trusts the
// access tokens it signs; clients reach it through the gateway (/connect, /.well-known, /account).
if (HealthProbe.Requested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseDefaultExceptionHandling();
app.MapDefaultEndpoints();
app.MapOpenApi().AllowAnonymous();
app.UseDefaultAuthentication();
app.UseAntiforgery();
app.MapIdentityServiceApi();

await app.RunAsync();
return 0;
