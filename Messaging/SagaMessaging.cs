using System.Diagnostics.Metrics;
using System.Net.Sockets;
using ClinicBooking.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ClinicBooking.Messaging;

/// <summary>MassTransit over the app's RabbitMQ (connection string <see cref="ResourceNames.RabbitMq"/>).</summary>
public static class SagaMessaging
{
    /// <summary>
    /// MassTransit opens and owns its broker connections, so the Aspire RabbitMQ client integration (which
    /// registers a connection of its own) does not fit; MassTransit takes the AMQP URI the AppHost hands out
    /// as it is, credentials and virtual host included. The dead letters of the service's saga queues are
    /// counted (<see cref="DeadLetters"/>): a health check that turns degraded and a gauge.
    /// </summary>
    public static IHostApplicationBuilder AddSagaMessaging(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> addConsumers,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator> configureEndpoints)
    {
        var broker = new Uri(builder.Configuration.GetConnectionString(ResourceNames.RabbitMq)
            ?? throw new InvalidOperationException($"No connection string '{ResourceNames.RabbitMq}' is configured."));
        builder.Services.AddSingleton(services => new DeadLetters(broker, services.GetRequiredService<IMeterFactory>(),
            services.GetRequiredService<ILogger<DeadLetters>>()));
        builder.Services.AddHealthChecks().AddCheck<DeadLettersHealthCheck>("dead-letters");
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

    /// <summary>
    /// A saga consumer's queue, with the settings every one shares. A failure that only time cures (the
    /// service's database is down or restarting) is retried, backing off to every 30 s, for up to 25 minutes
    /// (below RabbitMQ's 30-minute delivery timeout), so an outage delays messages but does not lose them. Any
    /// other failure is retried briefly, then the message is dead-lettered to <c>{queue}_error</c>, where
    /// <see cref="DeadLetters"/> counts it.
    /// </summary>
    public static void SagaEndpoint<TConsumer>(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context,
        string queue, Action<IRabbitMqReceiveEndpointConfigurator>? configure = null)
        where TConsumer : class, IConsumer
    {
        context.GetRequiredService<DeadLetters>().Watch(queue);
        rabbit.ReceiveEndpoint(queue, endpoint =>
        {
            configure?.Invoke(endpoint);
            // Messages are batches already (see BookingMessages.cs); a few in hand keep the consumer busy while
            // its answers travel back, and each is handled on its own.
            endpoint.PrefetchCount = 16;
            endpoint.SetQuorumQueue();
            endpoint.UseMessageRetry(retry => retry.Intervals(100, 1_000, 5_000).Ignore<Exception>(IsTransient));
            endpoint.UseMessageRetry(retry => retry
                .Exponential(50, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1))
                .Handle<Exception>(IsTransient));
            endpoint.ConfigureConsumer<TConsumer>(context);
        });
    }

    /// <summary>A failure that the same message may not meet again later: the database or the network, not the message.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        NpgsqlException npgsql when npgsql.IsTransient => true,
        PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "3D000" } => true, // shutting down, starting up, not created yet
        TimeoutException or SocketException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTransient),
        { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };

    /// <summary>
    /// <c>GET /operations/dead-letters</c>: what this service's saga queues have dead-lettered. The service
    /// declares who may call it, as for its own endpoints.
    /// </summary>
    public static RouteHandlerBuilder MapDeadLetters(this IEndpointRouteBuilder app) =>
        app.MapGet("/operations/dead-letters", async Task<Ok<DeadLetterReport>> (DeadLetters deadLetters, CancellationToken ct) =>
            TypedResults.Ok(await deadLetters.CountAsync(ct))).WithTags("Operations");
}

/// <summary>A saga queue and how many messages its error queue holds.</summary>
public sealed record DeadLetterQueue(string Queue, string ErrorQueue, long Messages);

public sealed record DeadLetterReport(IReadOnlyList<DeadLetterQueue> Queues, long Total);

/// <summary>
/// Counts the messages MassTransit dead-lettered from this service's saga queues (<c>{queue}_error</c>), so
/// none sits there unseen: <c>GET /operations/dead-letters</c>, the gauge <c>clinicbooking.messages.dead_lettered</c>
/// and a degraded health check. An operator reads them in RabbitMQ and moves them back (shovel) once the
/// cause is fixed; the consumers are idempotent, so a message handled twice changes nothing.
/// </summary>
public sealed class DeadLetters(Uri broker, IMeterFactory meters, ILogger<DeadLetters> logger) : IAsyncDisposable
{
    private readonly List<string> _queues = [];
    private readonly Dictionary<string, long> _latest = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private ObservableGauge<long>? _gauge;

    public void Watch(string queue)
    {
        lock (_queues)
        {
            _queues.Add(queue);
            _gauge ??= meters.Create("ClinicBooking.Messaging").CreateObservableGauge("clinicbooking.messages.dead_lettered",
                Observe, unit: "{message}", description: "Messages a saga queue dead-lettered and nobody has moved yet.");
        }
    }

    public async Task<DeadLetterReport> CountAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // No automatic recovery: after a broker restart the next count simply opens a new connection.
            _connection ??= await new ConnectionFactory { Uri = broker, ClientProvidedName = "dead-letter counter", AutomaticRecoveryEnabled = false }
                .CreateConnectionAsync(ct);
            var counts = new List<DeadLetterQueue>();
            foreach (var queue in _queues)
            {
                var errorQueue = $"{queue}_error";
                // A passive declare of a missing queue closes its channel: one channel per queue.
                await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
                long messages;
                try
                {
                    messages = (await channel.QueueDeclarePassiveAsync(errorQueue, ct)).MessageCount;
                }
                catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
                {
                    messages = 0; // nothing was ever dead-lettered there
                }
                counts.Add(new DeadLetterQueue(queue, errorQueue, messages));
                lock (_latest)
                {
                    _latest[queue] = messages;
                }
            }
            return new DeadLetterReport(counts, counts.Sum(c => c.Messages));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug(ex, "Could not count dead letters");
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        lock (_latest)
        {
            return _latest.Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key))).ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}

/// <summary>Degraded while any saga queue of the service holds dead letters (or they cannot be counted).</summary>
public sealed class DeadLettersHealthCheck(DeadLetters deadLetters) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var report = await deadLetters.CountAsync(cancellationToken);
            return report.Total == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Degraded($"{report.Total} dead-lettered messages: " +
                    string.Join(", ", report.Queues.Where(q => q.Messages > 0).Select(q => $"{q.ErrorQueue} holds {q.Messages}")));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Degraded("Dead letters cannot be counted: RabbitMQ does not answer.", ex);
        }
    }
}
