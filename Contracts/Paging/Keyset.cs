namespace ClinicBooking.Contracts;

/// <summary>
/// Part of a list in a fixed order (by <c>key</c>), read after a cursor: at most a limit of items, and
/// whether more follow. Cells read one from each shard, the gateway one from each cell.
/// </summary>
public sealed record KeysetPage<T>(IReadOnlyList<T> Items, bool HasMore)
{
    /// <summary>
    /// A page from rows read with <c>limit + 1</c>: the extra row only says that more follow.
    /// </summary>
    public static KeysetPage<T> FromRows(IReadOnlyList<T> rows, int limit) =>
        new(rows.Count > limit ? rows.Take(limit).ToList() : rows, rows.Count > limit);
}

public static class Keyset
{
    /// <summary>
    /// Merges pages that each hold the first items of their source after the same cursor, in
    /// <paramref name="key"/> order, into the first <paramref name="limit"/> items of all sources together.
    /// Keys never repeat across sources, so this is one consistent order, and more follow when any source
    /// has more or the merge left items out.
    /// </summary>
    public static KeysetPage<T> Merge<T, TKey>(IReadOnlyCollection<KeysetPage<T>> pages, Func<T, TKey> key, int limit)
    {
        var merged = pages.SelectMany(p => p.Items).OrderBy(key).ToList();
        return new KeysetPage<T>(merged.Take(limit).ToList(), merged.Count > limit || pages.Any(p => p.HasMore));
    }
}
