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
app.MapCustomersApi();
app.MapCustomerBookingsApi();

app.Run();
