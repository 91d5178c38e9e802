using ClinicBooking.ClinicService.Extensions;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;

// A ClinicService cell: serves the clinics of the shard(s) it owns. The gateway sends it only requests
// whose ids name one of those shards.
if (HealthProbe.Requested(args))
{
    return await HealthProbe.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.UseDefaultAuthentication();
// A signed-in caller's change is noted before its answer goes out, so their next reads skip what may not hold it
// (the cache, a replica that has not replayed it).
app.UseRecentWrites();
app.MapDefaultEndpoints();
app.MapOpenApi().AllowAnonymous();
app.UseSlotGeneration();
app.MapClinicServiceApi();

await app.RunAsync();
return 0;
