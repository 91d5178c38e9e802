using ClinicBooking.Contracts;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.Shared;

/// <summary>MassTransit over the app's RabbitMQ (connection string <see cref="ResourceNames.RabbitMq"/>).</summary>
internal static class SagaMessaging
{
    /// <summary>
    /// MassTransit opens and owns its broker connections, so the Aspire RabbitMQ client integration (which
    /// registers a connection of its own) does not fit; MassTransit takes the AMQP URI the AppHost hands out
    /// as it is, credentials and virtual host included.
    /// </summary>
    public static IHostApplicationBuilder AddSagaMessaging(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> addConsumers,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator> configureEndpoints)
    {
        var broker = new Uri(builder.Configuration.GetConnectionString(ResourceNames.RabbitMq)
            ?? throw new InvalidOperationException($"No connection string '{ResourceNames.RabbitMq}' is configured."));
        builder.Services.AddMassTransit(bus =>
        {
            addConsumers(bus);
            // A broker outage degrades a service but must not take it out of rotation: the cells keep
            // accepting bookings into their outbox and send them once the broker is back.
            bus.ConfigureHealthCheckOptions(health => health.MinimalFailureStatus = HealthStatus.Degraded);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker);
                configureEndpoints(context, rabbit);
            });
        });
        return builder;
    }

    /// <summary>The settings every saga consumer endpoint shares.</summary>
    public static void UseSagaConsumer<TConsumer>(this IRabbitMqReceiveEndpointConfigurator endpoint, IBusRegistrationContext context)
        where TConsumer : class, IConsumer
    {
        // Messages are batches already (see BookingMessages.cs); a few in hand keep the consumer busy while
        // its answers travel back, and each is handled on its own.
        endpoint.PrefetchCount = 16;
        endpoint.SetQuorumQueue();
        // A database hiccup is retried here before the message goes to the _error queue.
        endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2_000, 5_000, 10_000));
        endpoint.ConfigureConsumer<TConsumer>(context);
    }
}
