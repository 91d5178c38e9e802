using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClinicBooking.Messaging.Outbox;

public static class OutboxExtensions
{
    /// <summary>
    /// A service's outbox of <typeparamref name="TMessage"/> rows (where they live and what they send:
    /// <typeparamref name="TStore"/>): re-driven when unsent, parked when they never can be, purged once old,
    /// counted (section <c>Outbox</c>, <see cref="OutboxOptions"/>). Add an <see cref="AddOutboxChannel{T}"/> per
    /// message type the service sends right after its commit.
    /// </summary>
    public static IHostApplicationBuilder AddOutbox<TMessage, TStore>(this IHostApplicationBuilder builder)
        where TMessage : OutboxMessage where TStore : class, IOutboxStore<TMessage>
    {
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IOutboxStore<TMessage>, TStore>();
        builder.Services.AddSingleton<OutboxStamper<TMessage>>();
        builder.Services.AddSingleton<IOutboxStamps>(services => services.GetRequiredService<OutboxStamper<TMessage>>());
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxStamper<TMessage>>());
        builder.Services.AddHostedService<OutboxRedriver<TMessage>>();
        builder.Services.AddSingleton<OutboxStats<TMessage>>();
        builder.Services.AddHostedService<OutboxPurger<TMessage>>();
        return builder;
    }

    /// <summary>
    /// Sends committed <typeparamref name="T"/> messages right after their commit, in batches at most one per
    /// <c>Outbox:BatchWindows:{T}</c> (else <paramref name="window"/>), each batch published by <paramref name="publish"/>.
    /// </summary>
    public static IHostApplicationBuilder AddOutboxChannel<T>(this IHostApplicationBuilder builder, TimeSpan window,
        Func<IServiceProvider, Func<IReadOnlyList<OutboxItem<T>>, CancellationToken, Task<bool>>> publish)
    {
        builder.Services.AddSingleton(services => new OutboxChannel<T>(publish(services),
            services.GetRequiredService<IOptions<OutboxOptions>>().Value.BatchWindows.GetValueOrDefault(typeof(T).Name, window),
            services.GetRequiredService<IOutboxStamps>(), services.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxChannel<T>>());
        return builder;
    }

    /// <summary><c>GET /operations/outbox</c>: each database's outbox. The service declares who may call it.</summary>
    public static RouteHandlerBuilder MapOutboxOperations<TMessage>(this IEndpointRouteBuilder app) where TMessage : OutboxMessage =>
        app.MapGet("/operations/outbox", async Task<Ok<IReadOnlyList<OutboxShardStats>>> (OutboxStats<TMessage> stats, CancellationToken ct) =>
            TypedResults.Ok(await stats.CountAsync(ct))).WithTags("Operations");
}
