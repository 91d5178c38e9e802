using System.Text.Json.Serialization;
using ClinicBooking.CustomerService.Bookings;
using ClinicBooking.CustomerService.Infrastructure;

namespace ClinicBooking.CustomerService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<CustomerDbContext>(ResourceNames.CustomersDatabase, settings =>
            settings.ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(settings.ConnectionString).WithReusedSessions().ConnectionString);
        builder.Services.AddMigration<CustomerDbContext>(ResourceNames.CustomersDatabase);

        builder.AddRabbitMqMessaging(
            bus =>
            {
                bus.AddConsumer<VerifyCustomersConsumer>();
                bus.AddConsumer<BookingStatusChangesConsumer>();
            },
            (context, rabbit) =>
            {
                rabbit.ReceiveEndpoint($"{ResourceNames.CustomerService}-verify-customer", endpoint => endpoint.UseConsumer<VerifyCustomersConsumer>(context));
                rabbit.ReceiveEndpoint($"{ResourceNames.CustomerService}-customer-bookings", endpoint => endpoint.UseConsumer<BookingStatusChangesConsumer>(context));
            });

        builder.Services.AddSingleton(TimeProvider.System);
        // Clients reach the API through the gateway, so the document names no server of its own.
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers?.Clear();
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
    }
}
