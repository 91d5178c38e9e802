namespace ClinicBooking.Contracts;

/// <summary>
/// Ids of clinic data carry what the gateway needs to route a request, so routing needs no lookup:
/// <list type="bullet">
/// <item>a clinic id is <c>(sequence &lt;&lt; 6) | shard</c>: its low 6 bits name its home shard;</item>
/// <item>every clinic-scoped id (doctor, time slot, template, booking slot) is
/// <c>(clinicId &lt;&lt; 30) | rowNumber</c>: its high bits are its clinic's id.</item>
/// </list>
/// Clinic ids stay below 2^23 and scoped ids below 2^53, so every id is a JSON-safe integer. The shard
/// databases compute these ids themselves (see the ClinicService migrations), and check them.
/// </summary>
public static class ClinicIds
{
    public const int ShardBits = 6;
    public const int ClinicBits = 23;
    public const int RowBits = 30;

    public const int MaxShards = 1 << ShardBits;
    public const long MaxClinicId = (1L << ClinicBits) - 1;
    public const long MaxScopedId = (1L << (ClinicBits + RowBits)) - 1;
    private const long RowMask = (1L << RowBits) - 1;

    /// <summary>
    /// An id as it is written in a URL, a claim or a cursor: decimal digits only (no sign, no spaces, no
    /// separators); null for anything else. The one parser of ids, in every process.
    /// </summary>
    public static long? Parse(string? text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    public static bool IsClinicId(long id) => id >= MaxShards && id <= MaxClinicId;

    public static bool IsScopedId(long id) => id is > 0 and <= MaxScopedId && IsClinicId(ClinicOf(id)) && (id & RowMask) != 0;

    /// <summary>The home shard of a clinic.</summary>
    public static int ShardOfClinic(long clinicId) => (int)(clinicId & (MaxShards - 1));

    /// <summary>The clinic a clinic-scoped id belongs to.</summary>
    public static long ClinicOf(long scopedId) => scopedId >> RowBits;

    /// <summary>The shard of a clinic id, or of a clinic-scoped id; null when the id is of neither shape.</summary>
    public static int? ShardOf(long id, bool scoped) => scoped
        ? IsScopedId(id) ? ShardOfClinic(ClinicOf(id)) : null
        : IsClinicId(id) ? ShardOfClinic(id) : null;
}
