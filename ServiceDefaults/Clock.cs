namespace ClinicBooking;

public static class Clock
{
    /// <summary>
    /// The current instant rounded down to whole microseconds, PostgreSQL's precision, so what a write
    /// returns equals what every later read returns.
    /// </summary>
    public static DateTimeOffset UtcNowMicroseconds(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
