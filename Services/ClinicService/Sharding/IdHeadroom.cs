using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Sharding;

/// <summary>What is left of one shard's two id spaces: clinic numbers, and the row numbers its clinics' rows share.</summary>
public sealed record ShardIds(int Shard, long RowIdsLeft, long ClinicIdsLeft)
{
    /// <summary>Every clinic-scoped row of the shard (doctor, time slot, template, booking slot, booking) draws one.</summary>
    public const long RowIds = (1L << ClinicIds.RowBits) - 1;

    public const long ClinicNumbers = ClinicIds.MaxClinicId >> ClinicIds.ShardBits;

    public bool RunningLow(double warnBelowFraction) =>
        RowIdsLeft < RowIds * warnBelowFraction || ClinicIdsLeft < ClinicNumbers * warnBelowFraction;
}

/// <summary>
/// The id headroom of the cell's shards. Ids are drawn from sequences and never come back, so a shard that
/// runs out refuses every new doctor, slot and booking; this makes the end visible long before: a gauge per
/// shard and id space (<c>clinicbooking.shard.ids.left</c>), and <see cref="ShardsHealthCheck"/> turns
/// degraded below <see cref="CellOptions.IdsLeftWarningPercent"/>. Each read refreshes what the gauge shows.
/// </summary>
public sealed class IdHeadroom
{
    public const string MeterName = "ClinicBooking.Shards";

    // Never-called sequences have no last_value yet: nothing is used.
    private const string Sql = """
        SELECT (SELECT shard FROM shard_identity),
               (SELECT max_value - coalesce(last_value, 0) FROM pg_sequences
                 WHERE schemaname = current_schema() AND sequencename = 'scoped_row_seq'),
               (SELECT max_value - coalesce(last_value, 0) FROM pg_sequences
                 WHERE schemaname = current_schema() AND sequencename = 'clinic_number_seq')
        """;

    private readonly ShardDatabases _shards;
    private readonly IOptions<CellOptions> _options;
    private readonly Dictionary<int, ShardIds> _latest = [];
    private readonly Lock _gate = new();

    public IdHeadroom(ShardDatabases shards, IOptions<CellOptions> options, IMeterFactory meters)
    {
        (_shards, _options) = (shards, options);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("clinicbooking.shard.ids.left", Observe, unit: "{id}",
            description: "Ids a shard can still hand out (kind=row: its clinics' rows; kind=clinic: new clinics).");
    }

    public double WarnBelowFraction => _options.Value.IdsLeftWarningPercent / 100.0;

    /// <summary>The shard's headroom now; null when the shard is not migrated yet.</summary>
    public async Task<ShardIds?> ReadAsync(int shard, CancellationToken ct)
    {
        await using var command = _shards.DataSource(shard).CreateCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || reader.IsDBNull(0) || reader.IsDBNull(1) || reader.IsDBNull(2))
        {
            return null;
        }
        var ids = new ShardIds(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2));
        lock (_gate)
        {
            _latest[shard] = ids;
        }
        return ids;
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        lock (_gate)
        {
            return _latest.Values.SelectMany(ids => new[]
            {
                new Measurement<long>(ids.RowIdsLeft, new("shard", ids.Shard), new("kind", "row")),
                new Measurement<long>(ids.ClinicIdsLeft, new("shard", ids.Shard), new("kind", "clinic")),
            }).ToList();
        }
    }
}
