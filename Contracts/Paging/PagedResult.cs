namespace ClinicBooking.Contracts;

/// <summary>
/// A numbered page of a longer list (the customers, a clinic's doctors, a customer's bookings);
/// <see cref="TotalCount"/> counts every item that matched.
/// </summary>
public sealed record PagedResult<T>(int PageIndex, int PageSize, long TotalCount, IReadOnlyList<T> Items);

/// <summary>Limits of numbered pages.</summary>
public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
}
