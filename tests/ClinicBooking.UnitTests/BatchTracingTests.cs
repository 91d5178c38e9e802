using System.Diagnostics;
using ClinicBooking.Messages;

namespace ClinicBooking.UnitTests;

public class BatchTracingTests
{
    [Fact]
    public async Task Each_item_of_a_batch_is_traced_in_its_own_trace_and_linked_to_the_batch()
    {
        using var source = new ActivitySource($"test.batch.{Guid.NewGuid():N}");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var batch = source.StartActivity("batch")!;
        var (traceId, writer) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());
        Traced<int>[] items = [new(Guid.NewGuid(), 1, $"00-{traceId}-{writer}-01"), new(Guid.NewGuid(), 2, null)];

        Activity?[] spans = [];
        var failure = new InvalidOperationException("database down");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => BatchTracing.HandleItemsAsync(source, "item", items, handed =>
        {
            spans = handed;
            Assert.Same(batch, Activity.Current);
            // The first item continues the trace that wrote it; the one without a trace goes under the batch.
            Assert.Equal(traceId, spans[0]!.TraceId);
            Assert.Equal(writer, spans[0]!.ParentSpanId);
            Assert.Contains(spans[0]!.Links, link => link.Context.SpanId == batch.SpanId);
            Assert.Equal(batch.TraceId, spans[1]!.TraceId);
            Assert.Equal(batch.SpanId, spans[1]!.ParentSpanId);
            // What is handed on to the next hop is the item's span.
            Assert.Equal(spans[0]!.Id, BatchTracing.TraceParentOf(spans, items, 0));
            Assert.All(spans, span => Assert.False(span!.IsStopped));
            throw failure;
        }));

        Assert.Same(failure, thrown);
        Assert.Same(batch, Activity.Current);
        Assert.Equal(2, spans.Length);
        Assert.All(spans, span => Assert.True(span!.IsStopped));
        Assert.All(spans, span => Assert.Equal(ActivityStatusCode.Error, span!.Status));
    }

    [Fact]
    public async Task Without_a_listener_an_item_hands_on_the_trace_it_came_with()
    {
        using var source = new ActivitySource($"test.unheard.{Guid.NewGuid():N}");
        Traced<int>[] items = [new(Guid.NewGuid(), 1, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")];
        Activity?[] spans = [];

        await BatchTracing.HandleItemsAsync(source, "item", items, handed =>
        {
            spans = handed;
            return Task.CompletedTask;
        });

        Assert.Null(Assert.Single(spans));
        Assert.Equal(items[0].TraceParent, BatchTracing.TraceParentOf(spans, items, 0));
    }
}
