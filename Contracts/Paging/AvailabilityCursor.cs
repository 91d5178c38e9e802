using System.Globalization;

namespace ClinicBooking.Contracts;

/// <summary>
/// The position of a free slot in the availability order (start instant, then id), as an opaque cursor:
/// "{start in Unix microseconds}.{id}". Cells and the gateway page with the same cursor.
/// </summary>
public static class AvailabilityCursor
{
    public static string Format(DateTimeOffset startsAt, long id) =>
        FormattableString.Invariant($"{(startsAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10}.{id}");

    public static (DateTimeOffset StartsAt, long Id)? Parse(string cursor)
    {
        var parts = cursor.Split('.');
        return parts.Length == 2
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
               && micros < 253_402_300_800_000_000 // year 10000
            ? (DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id)
            : null;
    }
}
