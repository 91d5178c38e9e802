using System.Collections.Concurrent;
using ClinicBooking.ClinicService.Data;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>
/// Lets a booking request wait in-process for its saga to decide, instead of polling the database, and
/// hands it the decided booking. Only a hint: a request that was not woken (the decision was made by
/// another instance of the cell, or before it started watching) reads the booking again when its wait is over.
/// </summary>
public sealed class BookingOutcomes
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<Booking>> _watched = new();

    /// <summary>Completes with the booking when <see cref="Decided"/> is called for it.</summary>
    public Task<Booking> Watch(long bookingId) =>
        _watched.GetOrAdd(bookingId, _ => new TaskCompletionSource<Booking>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Waits for the booking's decision at most <paramref name="timeout"/>; null when it did not come.</summary>
    public async Task<Booking?> WaitAsync(long bookingId, Task<Booking> watched, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await watched.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            Unwatch(bookingId, watched);
            return null;
        }
    }

    /// <summary>Stops watching a booking nobody needs to wait for any more (unless it is watched anew).</summary>
    public void Unwatch(long bookingId, Task<Booking> watched)
    {
        if (_watched.TryGetValue(bookingId, out var waiter) && waiter.Task == watched)
        {
            _watched.TryRemove(KeyValuePair.Create(bookingId, waiter));
        }
    }

    /// <summary>Wakes whoever waits for the booking; called after the decision has committed.</summary>
    public void Decided(Booking booking)
    {
        if (_watched.TryRemove(booking.Id, out var waiter))
        {
            waiter.TrySetResult(booking);
        }
    }
}
