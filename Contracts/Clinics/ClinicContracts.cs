using System.Globalization;

namespace ClinicBooking.Contracts;

// What a cell answers about clinics, and the gateway reads to merge the cells' answers.

public sealed record ClinicResponse(
    long Id, int Shard, string Name, string TimeZone, string? Address, bool IsActive,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int? MaxActiveBookingsPerCustomer = null, bool PayAtBooking = false);

/// <summary>A page of clinics in id order; pass <see cref="NextCursor"/> as <c>after</c> for the next page.</summary>
public sealed record ClinicPage(IReadOnlyList<ClinicResponse> Items, string? NextCursor)
{
    /// <summary>The order of the list: by id, which never repeats across shards.</summary>
    public static long Key(ClinicResponse clinic) => clinic.Id;

    public static ClinicPage From(KeysetPage<ClinicResponse> page) => new(page.Items,
        page.HasMore && page.Items.Count > 0 ? FormatCursor(page.Items[^1].Id) : null);

    public KeysetPage<ClinicResponse> AsKeyset() => new(Items, NextCursor is not null);

    public static string FormatCursor(long clinicId) => clinicId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The id after which the next page starts; null when <paramref name="cursor"/> is not one.</summary>
    public static long? ParseCursor(string cursor) =>
        ClinicIds.Parse(cursor);
}

/// <summary>
/// A shard a cell owns: how many active clinics it holds, and how many ids it can still hand out (row ids,
/// shared by its clinics' doctors, shifts, slots and bookings; clinic ids), for the gateway's placement policy
/// and for operators. <see cref="IdsRunningLow"/> when either is below the cell's warning level.
/// </summary>
public sealed record ShardInfo(int Shard, int ActiveClinics, long RowIdsLeft, long ClinicIdsLeft, bool IdsRunningLow);

/// <summary>The routes the gateway serves by asking every cell the same, besides the clinic-scoped ones it proxies.</summary>
public static class CellRoutes
{
    /// <summary>GET: the shards as <see cref="ShardInfo"/>; the gateway places new clinics with it.</summary>
    public const string Shards = "/shards";
}

/// <summary>The gateway's merged page of clinics; <see cref="Partial"/> is true when a cell did not answer and its clinics are missing.</summary>
public sealed record ClinicListResponse(
    IReadOnlyList<ClinicResponse> Items, string? NextCursor, bool Partial, IReadOnlyList<string> UnavailableCells);
