using System.ComponentModel.DataAnnotations;
using ClinicBooking.ClinicService.Jobs;
using ClinicBooking.ClinicService.Sharding;
using Hangfire;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Retention;

/// <summary>How long a shard keeps what is over (section <c>Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>A booking slot that is over and free (never booked, or its bookings ended) is removed this long after it ended.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan PastFreeSlots { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A booking that never became an appointment (rejected or expired) is removed this long after it ended.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan EndedWithoutAppointment { get; set; } = TimeSpan.FromDays(90);

    /// <summary>When the job runs (cron, UTC). Daily by default; it also runs once at start.</summary>
    [Required]
    public string Cron { get; set; } = Hangfire.Cron.Daily();
}

/// <summary>
/// The retention policy of the shards, applied by a daily Hangfire job (and once at start): past free booking
/// slots go after <see cref="RetentionOptions.PastFreeSlots"/>, and rejected and expired bookings (with their
/// outbox rows) after <see cref="RetentionOptions.EndedWithoutAppointment"/>. Confirmed and cancelled bookings
/// are a patient's history and stay; a booking whose slot goes keeps its own copy of the doctor and the times.
/// Deletes go in batches, so a large backlog never holds a long lock. Ages are by the database's clock.
/// </summary>
public sealed class RetentionJob(ShardDatabases shards, IOptions<RetentionOptions> options, ILogger<RetentionJob> logger)
{
    public const string RecurringJobId = "apply-retention";
    private const int BatchSize = 10_000;

    private const string PastFreeSlotsSql = """
        DELETE FROM doctor_booking_slots WHERE ctid IN (
            SELECT ctid FROM doctor_booking_slots
             WHERE ends_at < now() - @age AND customer_id IS NULL LIMIT @batch)
        """;

    private const string EndedWithoutAppointmentSql = """
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

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 3)]
    public async Task ApplyAsync(CancellationToken ct)
    {
        foreach (var shard in shards.Shards)
        {
            var slots = await DeleteInBatchesAsync(shard, PastFreeSlotsSql, options.Value.PastFreeSlots, ct);
            var bookings = await DeleteInBatchesAsync(shard, EndedWithoutAppointmentSql, options.Value.EndedWithoutAppointment, ct);
            logger.LogInformation("Retention removed {Slots} past free booking slots and {Bookings} rejected or expired bookings of shard {Shard}",
                slots, bookings, shard);
        }
    }

    private async Task<long> DeleteInBatchesAsync(int shard, string sql, TimeSpan age, CancellationToken ct)
    {
        long total = 0;
        while (true)
        {
            await using var command = shards.DataSource(shard).CreateCommand(sql);
            command.Parameters.AddWithValue("age", age);
            command.Parameters.AddWithValue("batch", BatchSize);
            var deleted = await command.ExecuteNonQueryAsync(ct);
            total += deleted;
            if (deleted < BatchSize)
            {
                return total;
            }
        }
    }
}

public static class RetentionExtensions
{
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<RetentionJob>();
        return builder;
    }

    /// <summary>The daily retention job, also run once at start (Hangfire is set up by the slot generation).</summary>
    public static WebApplication UseRetention(this WebApplication app) =>
        app.ScheduleAndRunAtStart<RetentionJob>(RetentionJob.RecurringJobId, job => job.ApplyAsync(CancellationToken.None),
            services => services.GetRequiredService<IOptions<RetentionOptions>>().Value.Cron);
}
