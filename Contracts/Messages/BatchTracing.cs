using System.Diagnostics;

namespace ClinicBooking.Messages;

/// <summary>
/// Spans for the items of a batch message. MassTransit traces the batch itself, in a trace of its own that
/// each item's trace links to; these spans put the handling of each item into its booking's trace, as a child
/// of the span that wrote the item, so that one booking stays one trace across the services and RabbitMQ.
/// </summary>
public static class BatchTracing
{
    /// <summary>
    /// Handles a batch with a span per item (see <see cref="StartItems{T}"/>), ended when
    /// <paramref name="handle"/> is done, and marked failed when it throws.
    /// </summary>
    public static async Task HandleItemsAsync<T>(ActivitySource source, string name, IReadOnlyList<Traced<T>> items,
        Func<Activity?[], Task> handle)
    {
        var spans = StartItems(source, name, items);
        try
        {
            await handle(spans);
        }
        catch (Exception ex)
        {
            Stop(spans, ex);
            throw;
        }
        Stop(spans);
    }

    /// <summary>
    /// Starts a span per item, each under the item's traceparent and linked to the current (batch) span,
    /// which stays the current one. Null entries where nobody listens.
    /// </summary>
    private static Activity?[] StartItems<T>(ActivitySource source, string name, IReadOnlyList<Traced<T>> items)
    {
        var batch = Activity.Current;
        var links = batch is null ? null : new[] { new ActivityLink(batch.Context) };
        var spans = new Activity?[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            // An item without a trace of its own goes under the batch span, not under the item before it.
            Activity.Current = batch;
            ActivityContext.TryParse(items[i].TraceParent, null, isRemote: true, out var parent);
            spans[i] = source.StartActivity(name, ActivityKind.Consumer, parent, links: links);
            spans[i]?.SetTag("messaging.system", "rabbitmq");
            spans[i]?.SetTag("messaging.message.id", items[i].MessageId.ToString());
            spans[i]?.SetTag("messaging.batch.message_count", items.Count);
        }
        // Starting a span makes it the current one; the batch's own work goes on under the batch span.
        Activity.Current = batch;
        return spans;
    }

    /// <summary>The traceparent to hand on for item <paramref name="index"/>: its span, or else what it came with.</summary>
    public static string? TraceParentOf<T>(Activity?[] spans, IReadOnlyList<Traced<T>> items, int index) =>
        spans[index]?.Id ?? items[index].TraceParent;

    /// <summary>Ends the item spans (marking them failed when <paramref name="error"/> is given), keeping the current span.</summary>
    private static void Stop(Activity?[] spans, Exception? error = null)
    {
        var current = Activity.Current;
        foreach (var span in spans)
        {
            if (error is not null)
            {
                span?.SetStatus(ActivityStatusCode.Error, error.Message);
            }
            span?.Stop();
        }
        Activity.Current = current;
    }
}
