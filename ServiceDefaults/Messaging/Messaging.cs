using ClinicBooking;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>MassTransit over the app's RabbitMQ (connection string <see cref="ResourceNames.RabbitMq"/>).</summary>
public static class MessagingExtensions
{
    public static IHostApplicationBuilder AddRabbitMqMessaging(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> addConsumers,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator> configureEndpoints)
    {
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.RabbitMq)
            ?? throw new InvalidOperationException($"No connection string '{ResourceNames.RabbitMq}' is configured.");
        var broker = new Uri(connectionString);

        builder.Services.AddMassTransit(bus =>
        {
            addConsumers(bus);
            // A broker outage degrades a service but must not take it out of rotation: the cells keep
            // accepting bookings into their outbox and send them once the broker is back.
            bus.ConfigureHealthCheckOptions(health => health.MinimalFailureStatus = HealthStatus.Degraded);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker.Host, (ushort)(broker.IsDefaultPort ? 5672 : broker.Port), VirtualHost(broker), host =>
                {
                    var (user, password) = Credentials(broker);
                    host.Username(user);
                    host.Password(password);
                });
                configureEndpoints(context, rabbit);
            });
        });
        return builder;
    }

    /// <summary>The settings every saga consumer endpoint shares.</summary>
    public static void UseConsumer<TConsumer>(this IRabbitMqReceiveEndpointConfigurator endpoint, IBusRegistrationContext context)
        where TConsumer : class, IConsumer
    {
        // Messages are batches already (see BookingMessages.cs); a few in hand keep the consumer busy while
        // its answers travel back, and each is handled on its own.
        endpoint.PrefetchCount = 16;
        endpoint.UseSagaDefaults();
        endpoint.ConfigureConsumer<TConsumer>(context);
    }

    private static void UseSagaDefaults(this IRabbitMqReceiveEndpointConfigurator endpoint)
    {
        endpoint.SetQuorumQueue();
        // A database hiccup is retried here before the message goes to the _error queue.
        endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2_000, 5_000, 10_000));
    }

    private static string VirtualHost(Uri broker) =>
        broker.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(broker.AbsolutePath.TrimStart('/'));

    private static (string User, string Password) Credentials(Uri broker)
    {
        var parts = broker.UserInfo.Split(':', 2);
        return parts.Length == 2
            ? (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]))
            : ("guest", "guest");
    }
}
