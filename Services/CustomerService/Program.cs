using ClinicBooking.CustomerService.Bookings;
using ClinicBooking.CustomerService.Customers;
using ClinicBooking.CustomerService.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.MapDefaultEndpoints();
app.MapOpenApi();
// Every request is validated (FluentValidation) before its handler runs.
var api = app.MapGroup("").WithRequestValidation();
api.MapCustomersApi();
api.MapCustomerBookingsApi();

app.Run();
