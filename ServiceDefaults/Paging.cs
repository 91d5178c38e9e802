namespace ClinicBooking;

/// <summary>A page of a longer list; <see cref="TotalCount"/> counts every item that matched.</summary>
public sealed record PagedResult<T>(int PageIndex, int PageSize, long TotalCount, IReadOnlyList<T> Items);

/// <summary>Page request limits shared by the list endpoints.</summary>
public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Field errors for an out-of-range page request, or an empty dictionary.</summary>
    public static Dictionary<string, string[]> Validate(int pageIndex, int pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (pageIndex < 0)
        {
            errors["pageIndex"] = ["pageIndex must be 0 or greater."];
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize}."];
        }
        return errors;
    }
}
