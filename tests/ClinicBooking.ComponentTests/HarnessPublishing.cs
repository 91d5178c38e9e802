using ClinicBooking.Messages;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClinicBooking.ComponentTests;

/// <summary>Publishing on a host's MassTransit test harness, and waiting until the message was consumed without error.</summary>
internal static class HarnessPublishing
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The cells' batch of booking changes, as their outbox publishes it.</summary>
    public static Task PublishChangesAsync(this IHost host, params BookingStatusChanged[] changes) =>
        host.PublishConsumedAsync(new BookingStatusChanges([.. changes.Select(c => new Traced<BookingStatusChanged>(Guid.NewGuid(), c, null))]), Guid.NewGuid());

    public static async Task PublishConsumedAsync<T>(this IHost host, T message, Guid id) where T : class
    {
        var harness = host.Services.GetRequiredService<ITestHarness>();
        await harness.Bus.Publish(message, context => context.MessageId = id, Ct);
        Assert.True(await harness.Consumed.Any<T>(m => m.Context.MessageId == id, Ct), $"{typeof(T).Name} was not consumed.");
        var consumed = await harness.Consumed.SelectAsync<T>(m => m.Context.MessageId == id, Ct).First();
        Assert.True(consumed.Exception is null, $"{typeof(T).Name} failed: {consumed.Exception}");
    }
}
