using System.Text.Json.Serialization;
using ClinicBooking.ClinicService.Infrastructure;

namespace ClinicBooking.ClinicService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // One database per owned shard (Cell:Shards), migrated before the cell serves requests.
        builder.Services.AddSingleton<ShardDatabases>();
        builder.Services.AddHostedService<ShardMigrator>();
        builder.Services.AddHealthChecks().AddCheck<ShardsHealthCheck>("shards");

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers?.Clear(); // clients call through the gateway
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
    }
}
