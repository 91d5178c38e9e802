namespace ClinicBooking.Gateway.Routing;

/// <summary>
/// Which ClinicService cell owns which shard, from configuration (<c>ClinicShards:Owners:{shard} = cell</c>,
/// set by the AppHost). Adding a shard is adding a line here and a cell that owns it.
/// </summary>
public sealed class ShardMap
{
    public const string Section = "ClinicShards:Owners";

    private readonly Dictionary<int, string> _owners;

    public ShardMap(IConfiguration configuration)
    {
        _owners = configuration.GetSection(Section).GetChildren()
            .ToDictionary(
                s => int.TryParse(s.Key, out var shard) && shard is >= 0 and < ClinicIds.MaxShards
                    ? shard
                    : throw new InvalidOperationException($"{Section}:{s.Key} is not a shard number (0-{ClinicIds.MaxShards - 1})."),
                s => s.Value ?? throw new InvalidOperationException($"{Section}:{s.Key} names no cell."));
        if (_owners.Count == 0)
        {
            throw new InvalidOperationException($"{Section} names no shard: the gateway needs at least one ClinicService cell.");
        }
    }

    public IReadOnlyDictionary<int, string> Owners => _owners;

    /// <summary>Every cell, once, in a stable order.</summary>
    public IReadOnlyList<string> Cells => _owners.Values.Distinct().Order().ToList();

    public string? CellOf(int shard) => _owners.GetValueOrDefault(shard);
}
