// A ClinicService cell. Clinics, doctors and slots arrive with the sharding work; for now a cell starts,
// joins the app model and answers its health endpoints.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.UseDefaultExceptionHandling();
app.MapDefaultEndpoints();

app.Run();
