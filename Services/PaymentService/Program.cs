using ClinicBooking.PaymentService.Extensions;

if (HealthProbe.Requested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.UseLocalPaymentProvider();
app.UseDefaultAuthentication();
app.MapDefaultEndpoints();
app.MapOpenApi().AllowAnonymous();
app.MapPaymentServiceApi();

await app.RunAsync();
return 0;
