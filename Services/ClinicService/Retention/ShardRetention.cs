using ClinicBooking.ClinicService.Sharding;

namespace ClinicBooking.ClinicService.Retention;

/// <summary>
/// The shards' retention rules, run by the retention building block (<c>Shared/Retention.cs</c>): past free
/// booking slots go after <see cref="RetentionOptions.PastFreeSlots"/>, and rejected and expired bookings (with
/// their outbox rows and audit) after <see cref="RetentionOptions.EndedWithoutAppointment"/>. Confirmed and
/// cancelled bookings are a patient's history and stay; a booking whose slot goes keeps its own copy of the
/// doctor and the times.
/// </summary>
internal abstract class ShardRetention(ShardDatabases shards) : IRetentionRule
{
    private const int BatchSize = 10_000;

    public abstract string What { get; }

    /// <summary>The DELETE of at most <c>@batch</c> rows older than <c>@age</c>.</summary>
    protected abstract string Sql { get; }

    protected abstract TimeSpan Age(RetentionOptions options);

    public async Task<long> ApplyAsync(RetentionOptions options, CancellationToken ct)
    {
        long total = 0;
        foreach (var shard in shards.Shards)
        {
            int deleted;
            do
            {
                await using var command = shards.DataSource(shard).CreateCommand(Sql);
                command.Parameters.AddWithValue("age", Age(options));
                command.Parameters.AddWithValue("batch", BatchSize);
                deleted = await command.ExecuteNonQueryAsync(ct);
                total += deleted;
            }
            while (deleted == BatchSize);
        }
        return total;
    }
}

internal sealed class PastFreeSlotsRetention(ShardDatabases shards) : ShardRetention(shards)
{
    public override string What => "past free booking slots";

    protected override TimeSpan Age(RetentionOptions options) => options.PastFreeSlots;

    protected override string Sql => """
        DELETE FROM booking_slots WHERE ctid IN (
            SELECT ctid FROM booking_slots
             WHERE ends_at < now() - @age AND customer_id IS NULL LIMIT @batch)
        """;
}

internal sealed class EndedBookingsRetention(ShardDatabases shards) : ShardRetention(shards)
{
    public override string What => "rejected or expired bookings";

    protected override TimeSpan Age(RetentionOptions options) => options.EndedWithoutAppointment;

    protected override string Sql => """
        WITH old AS (
            SELECT clinic_id, id FROM bookings
             WHERE status IN ('rejected', 'expired') AND coalesce(rejected_at, expired_at) < now() - @age
             LIMIT @batch),
        outbox AS (
            DELETE FROM outbox_messages o USING old WHERE o.clinic_id = old.clinic_id AND o.booking_id = old.id),
        audit AS (
            DELETE FROM booking_audit a USING old WHERE a.clinic_id = old.clinic_id AND a.booking_id = old.id)
        DELETE FROM bookings b USING old WHERE b.clinic_id = old.clinic_id AND b.id = old.id
        """;
}
