using ClinicBooking.CustomerService.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.UseDefaultAuthentication();
app.MapDefaultEndpoints();
app.MapOpenApi().AllowAnonymous();
app.MapCustomerServiceApi();

app.Run();
