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
                bus.AddConsumer<VerifyCustomerConsumer>();
                bus.AddConsumer<BookingStatusChangedConsumer>();
            },
            (context, rabbit) =>
            {
                rabbit.ReceiveEndpoint($"{ResourceNames.CustomerService}-verify-customer", endpoint => endpoint.UseConsumer<VerifyCustomerConsumer>(context));
                rabbit.ReceiveEndpoint($"{ResourceNames.CustomerService}-customer-bookings", endpoint =>
                    // The read model may lag a few milliseconds; in return a busy minute costs a few statements, not thousands.
                    endpoint.UseBatchConsumer<BookingStatusChangedConsumer>(context, messageLimit: 100, timeLimit: TimeSpan.FromMilliseconds(20)));
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
