using ClinicBooking.CustomerService.Apis;
using ClinicBooking.CustomerService.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapCustomersApi();
app.MapCustomerBookingsApi();

app.Run();
