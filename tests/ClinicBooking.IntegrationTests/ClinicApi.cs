using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Npgsql;

namespace ClinicBooking.IntegrationTests;

/// <summary>Builds clinic data through the gateway, and reads or writes a shard database directly.</summary>
public sealed class ClinicApi(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public HttpClient Gateway => app.Gateway;

    public ClinicBookingApp App => app;

    public async Task<JsonElement> CreateClinicAsync(int? shard = null, string? name = null, string timeZone = "Europe/Berlin")
    {
        var url = shard is null ? "/clinics" : $"/clinics?shard={shard}";
        var response = await Gateway.PostAsJsonAsync(url, new { name = name ?? $"Clinic {Guid.NewGuid():N}", timeZone }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    public async Task<long> CreateClinicIdAsync(int? shard = null) => (await CreateClinicAsync(shard)).GetProperty("id").GetInt64();

    public async Task<long> CreateDoctorAsync(long clinicId, string specialization = "Cardiology", string? name = null)
    {
        var response = await Gateway.PostAsJsonAsync($"/clinics/{clinicId}/doctors",
            new { name = name ?? $"Dr {Guid.NewGuid():N}"[..12], specialization }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetInt64();
    }

    public async Task<long> CreateTimeSlotAsync(long clinicId, string start = "09:00", string end = "13:00", string? name = null)
    {
        var response = await Gateway.PostAsJsonAsync($"/clinics/{clinicId}/timeslots",
            new { name = name ?? $"Shift {Guid.NewGuid():N}"[..14], startTime = start, endTime = end }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetInt64();
    }

    /// <summary>Puts a shift back as it is, with <paramref name="price"/> (<c>{ amount, currency }</c>; null leaves its price as it is).</summary>
    public async Task<JsonElement> PriceShiftAsync(long timeSlotId, object? price)
    {
        var shift = await Gateway.GetFromJsonAsync<JsonElement>($"/timeslots/{timeSlotId}", Ct);
        using var response = await Gateway.PutAsJsonAsync($"/timeslots/{timeSlotId}", new
        {
            name = shift.GetProperty("name").GetString(),
            startTime = shift.GetProperty("startTime").GetString(),
            endTime = shift.GetProperty("endTime").GetString(),
            price,
        }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return await response.ReadJsonAsync();
    }

    public async Task<long> CreateTemplateAsync(long doctorId, long timeSlotId, int? weekday = null)
    {
        var response = await Gateway.PostAsJsonAsync($"/doctors/{doctorId}/slots", new { timeSlotId, weekday }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetInt64();
    }

    public Task<NpgsqlConnection> OpenShardAsync(int shard) => app.OpenDatabaseAsync(ResourceNames.ShardDatabase(shard));

    public async Task<T?> ScalarAsync<T>(int shard, string sql, params object[] parameters)
    {
        await using var connection = await OpenShardAsync(shard);
        await using var command = Command(connection, sql, parameters);
        var result = await command.ExecuteScalarAsync(Ct);
        return result is null or DBNull
            ? default
            : (T)Convert.ChangeType(result, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<int> ExecuteAsync(int shard, string sql, params object[] parameters)
    {
        await using var connection = await OpenShardAsync(shard);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>Runs SQL that the database must refuse, and returns the refusal.</summary>
    public async Task<PostgresException> RefusedAsync(int shard, string sql, params object[] parameters) =>
        await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(shard, sql, parameters));

    /// <summary>Inserts a free booking slot with plain SQL, at any time (the API makes them only from a shift and a date).</summary>
    public Task<long?> InsertBookingSlotAsync(int shard, long clinicId, long doctorId, long timeSlotId,
        DateTimeOffset startsAt, TimeSpan length) =>
        ScalarAsync<long?>(shard, """
            INSERT INTO booking_slots (clinic_id, doctor_id, time_slot_id, date, starts_at, ends_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id
            """, clinicId, doctorId, timeSlotId, DateOnly.FromDateTime(startsAt.UtcDateTime), startsAt, startsAt + length);

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        return command;
    }
}
