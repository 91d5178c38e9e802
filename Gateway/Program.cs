using ClinicBooking.Gateway;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.MapDefaultEndpoints();
app.MapGateway();

app.Run();
