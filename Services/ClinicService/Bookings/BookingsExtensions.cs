using ClinicBooking.ClinicService.Outbox;
using ClinicBooking.ClinicService.Sharding;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Bookings;

public static class BookingsExtensions
{
    /// <summary>
    /// The booking saga: its state and outbox live in the shards; MassTransit carries its messages over
    /// RabbitMQ to CustomerService, and CustomerService's answers come back on this cell's own queue.
    /// </summary>
    public static IHostApplicationBuilder AddBookings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BookingOptions>().BindConfiguration(BookingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(services => new ReplyQueue(
            services.GetRequiredService<IOptions<BookingOptions>>().Value.ReplyQueue
            ?? $"{services.GetRequiredService<IOptions<CellOptions>>().Value.Name}-booking-replies"));
        builder.Services.AddSingleton<BookingOutcomes>();
        builder.Services.AddSingleton<BookingSaga>();
        builder.Services.AddHostedService<BookingExpirer>();

        builder.AddSagaMessaging(
            bus =>
            {
                bus.AddConsumer<BookingDecisionConsumer>();
                bus.AddConsumer<CustomerStatusConsumer>();
                bus.AddConsumer<BookingPaidConsumer>();
            },
            (context, rabbit) =>
            {
                var cell = context.GetRequiredService<IOptions<CellOptions>>().Value.Name;
                rabbit.SagaEndpoint<BookingDecisionConsumer>(context, context.GetRequiredService<ReplyQueue>().Name,
                    // Answers are sent to this queue by address, never published: no exchange bindings needed.
                    endpoint => endpoint.ConfigureConsumeTopology = false);
                // Published, so bound to the message's exchange: every cell gets its own copy.
                rabbit.SagaEndpoint<CustomerStatusConsumer>(context, $"{cell}-customer-status");
                rabbit.SagaEndpoint<BookingPaidConsumer>(context, $"{cell}-booking-payments");
            });
        return builder;
    }
}
