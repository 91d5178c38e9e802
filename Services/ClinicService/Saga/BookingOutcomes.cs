using System.Collections.Concurrent;

namespace ClinicBooking.ClinicService.Saga;

/// <summary>
/// Lets a booking request wait in-process for its saga to decide, instead of polling the database. Only a
/// hint: a request that was not woken (the decision was made by another instance of the cell, or before
/// it started watching) reads the booking again when its wait is over.
/// </summary>
public sealed class BookingOutcomes
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _watched = new();

    /// <summary>Completes when <see cref="Decided"/> is called for the booking.</summary>
    public Task Watch(long bookingId) =>
        _watched.GetOrAdd(bookingId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Waits for the booking's decision at most <paramref name="timeout"/>; true when it came.</summary>
    public async Task<bool> WaitAsync(long bookingId, Task watched, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await watched.WaitAsync(timeout, ct);
            return true;
        }
        catch (TimeoutException)
        {
            Unwatch(bookingId, watched);
            return false;
        }
    }

    /// <summary>Stops watching a booking nobody needs to wait for any more (unless it is watched anew).</summary>
    public void Unwatch(long bookingId, Task watched)
    {
        if (_watched.TryGetValue(bookingId, out var waiter) && waiter.Task == watched)
        {
            _watched.TryRemove(KeyValuePair.Create(bookingId, waiter));
        }
    }

    /// <summary>Wakes whoever waits for the booking; called after the decision has committed.</summary>
    public void Decided(long bookingId)
    {
        if (_watched.TryRemove(bookingId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
