using ClinicBooking.ClinicService.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// A clinic shard as its migrations build it, on the scratch server: every object is named after the concept
/// it stores (the model's table names, no leftover of an earlier name), and the newest migration goes down
/// and up again.
/// </summary>
public sealed class ShardSchemaTests(ScratchPostgres postgres)
{
    private static readonly string[] EarlierNames = ["doctor_slot_templates", "doctor_booking_slots"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_table_index_constraint_trigger_and_function_of_a_shard_uses_the_models_names()
    {
        await using var db = await NewShardAsync("shard_names");
        await db.Database.MigrateAsync(Ct);

        var names = await SchemaNamesAsync(db);
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()!).ToHashSet();
        Assert.Subset(names.ToHashSet(), tables);
        Assert.Contains("booking_slots", tables);
        Assert.Contains("doctor_slots", tables);
        Assert.DoesNotContain(names, n => EarlierNames.Any(n.Contains));
        Assert.Empty(await FunctionsMentioningAsync(db, EarlierNames));
    }

    [Fact]
    public async Task The_migrations_go_down_past_the_renaming_and_up_again()
    {
        await using var db = await NewShardAsync("shard_down_up");
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        await migrator.MigrateAsync(cancellationToken: Ct);

        // Down through every migration since the one that renamed the tables (OneNamePerConcept), and that one.
        var renaming = migrations.FindIndex(m => m.EndsWith("_OneNamePerConcept", StringComparison.Ordinal));
        await migrator.MigrateAsync(migrations[renaming - 1], cancellationToken: Ct);
        var before = await SchemaNamesAsync(db);
        Assert.Contains("doctor_booking_slots", before);
        Assert.DoesNotContain("doctor_absences", before);
        Assert.Empty(await FunctionsMentioningAsync(db, ["from booking_slots"]));

        await migrator.MigrateAsync(cancellationToken: Ct);
        Assert.DoesNotContain(await SchemaNamesAsync(db), n => EarlierNames.Any(n.Contains));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
    }

    private async Task<ClinicDbContext> NewShardAsync(string name)
    {
        var connectionString = await postgres.CreateDatabaseAsync($"{name}_{Guid.NewGuid():N}");
        return new ClinicDbContext(new DbContextOptionsBuilder<ClinicDbContext>().UseNpgsql(connectionString).UseSnakeCaseNamingConvention().Options);
    }

    /// <summary>The names of the shard's tables, indexes, sequences, constraints, triggers and functions.</summary>
    private static Task<List<string>> SchemaNamesAsync(ClinicDbContext db) => db.Database.SqlQueryRaw<string>("""
        SELECT c.relname::text AS "Value" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public'
        UNION ALL SELECT conname::text FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
        UNION ALL SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace
        """).ToListAsync(Ct);

    /// <summary>The functions whose body mentions any of <paramref name="texts"/>.</summary>
    private static Task<List<string>> FunctionsMentioningAsync(ClinicDbContext db, string[] texts) =>
        db.Database.SqlQueryRaw<string>("""
            SELECT proname::text AS "Value" FROM pg_proc
             WHERE pronamespace = 'public'::regnamespace AND lower(prosrc) LIKE ANY (SELECT '%' || t || '%' FROM unnest(@texts) t)
            """, new NpgsqlParameter("texts", texts)).ToListAsync(Ct);
}
