using System.Text.Json.Serialization;
using ClinicBooking.CustomerService.Infrastructure;

namespace ClinicBooking.CustomerService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<CustomerDbContext>(ResourceNames.CustomersDatabase);
        builder.Services.AddMigration<CustomerDbContext>(ResourceNames.CustomersDatabase);

        builder.Services.AddSingleton(TimeProvider.System);
        // Clients reach the API through the gateway, so the document names no server of its own.
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers?.Clear();
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
    }
}
