using System.Diagnostics;

namespace ClinicBooking.NotificationService.Dispatch;

/// <summary>
/// A provider's rate limit: sends spaced evenly, 1/<c>perSecond</c> apart, with no burst, so the average is the
/// limit exactly and no second holds more than one over it (a second whose edges meet two sends). Real time,
/// whatever clock decides what is due: it paces a provider, not the schedule.
/// </summary>
public sealed class Pacer(int perSecond) : IDisposable
{
    private readonly long _interval = Stopwatch.Frequency / perSecond;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _next;

    /// <summary>Waits for this send's turn.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        long wait;
        await _gate.WaitAsync(ct);
        try
        {
            var now = Stopwatch.GetTimestamp();
            var at = Math.Max(now, _next);
            _next = at + _interval;
            wait = at - now;
        }
        finally
        {
            _gate.Release();
        }
        if (wait > 0)
        {
            await Task.Delay(Stopwatch.GetElapsedTime(0, wait), ct);
        }
    }

    public void Dispose() => _gate.Dispose();
}
