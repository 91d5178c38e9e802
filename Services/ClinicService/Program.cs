using ClinicBooking.ClinicService.Apis;
using ClinicBooking.ClinicService.Extensions;

// A ClinicService cell: serves the clinics of the shard(s) it owns. The gateway sends it only requests
// whose ids name one of those shards.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.UseSlotGeneration();
app.MapClinicsApi();
app.MapDoctorsApi();
app.MapTimeSlotsApi();
app.MapDoctorSlotsApi();
app.MapBookingSlotsApi();
app.MapBookingsApi();
app.MapAvailabilityApi();

app.Run();
