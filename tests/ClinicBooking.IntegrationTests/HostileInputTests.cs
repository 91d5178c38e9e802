using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Npgsql;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// What a client can send that once answered 5xx (issue 14's findings), each checked through the gateway:
/// the answer is a 4xx problem with a message, and a valid request right after still succeeds.
/// </summary>
public class HostileInputTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private HttpClient Gateway => app.Gateway;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Nul = "a\u0000b";

    /// <summary>A 4xx problem whose detail or field errors say what was wrong.</summary>
    private static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, int status = 400)
    {
        var problem = await response.AssertProblemAsync(status);
        Assert.True(problem.SaysWhy(), $"The {status} problem says nothing about the cause: {problem}");
        return problem;
    }

    [Fact]
    public async Task A_NUL_character_in_any_stored_text_is_refused_with_the_field_named()
    {
        var clinicId = await _api.CreateClinicIdAsync(shard: 0);
        var doctorId = await _api.CreateDoctorAsync(clinicId);

        var cases = new (string Url, object Body, string Field)[]
        {
            ("/clinics", new { name = Nul, timeZone = "Europe/Berlin" }, "name"),
            ("/clinics", new { name = "Fine", timeZone = "Europe/Berlin", address = Nul }, "address"),
            ($"/clinics/{clinicId}/doctors", new { name = Nul, specialization = "Cardiology" }, "name"),
            ($"/clinics/{clinicId}/doctors", new { name = "Dr Fine", specialization = Nul }, "specialization"),
            ($"/clinics/{clinicId}/timeslots", new { name = Nul, startTime = "09:00", endTime = "10:00" }, "name"),
            ("/customers", new { name = Nul, email = Http.UniqueEmail() }, "name"),
            ("/customers", new { name = "Fine", email = Http.UniqueEmail(), phone = "+1 555\u0000" }, "phone"),
        };
        foreach (var (url, body, field) in cases)
        {
            var problem = await AssertRefusedAsync(await Gateway.PostAsJsonAsync(url, body, Ct));
            Assert.Contains(field, problem.FieldErrors());
        }

        var patch = await Gateway.PatchAsync($"/doctors/{doctorId}", Http.Json($$"""{"name": "{{"Dr \\u0000"}}"}""", "application/merge-patch+json"), Ct);
        Assert.Contains("name", (await AssertRefusedAsync(patch)).FieldErrors());
    }

    [Fact]
    public async Task A_NUL_character_in_a_filter_is_refused_not_answered_as_a_failed_cell()
    {
        var clinicId = await _api.CreateClinicIdAsync(shard: 1);
        foreach (var url in new[]
                 {
                     "/customers?email=a%00b",
                     $"/clinics/{clinicId}/doctors?specialization=a%00b",
                     $"/clinics/{clinicId}/availability?specialization=a%00b",
                     "/availability/search?specialization=a%00b",
                     "/availability/next?specialization=a%00b",
                 })
        {
            var problem = await AssertRefusedAsync(await Gateway.GetAsync(url, Ct));
            Assert.Contains(problem.FieldErrors(), f => f is "email" or "specialization");
        }
    }

    [Fact]
    public async Task Bursts_of_refused_requests_leave_no_connection_that_fails_a_later_valid_request()
    {
        // Every service connection of a shard, hit in parallel so the bad statements land on many pooled
        // connections, then as many valid writes of the same statements.
        var bad = Enumerable.Range(0, 40).SelectMany(_ => new[]
        {
            Gateway.PostAsJsonAsync("/clinics?shard=0", new { name = Nul, timeZone = "Europe/Berlin" }, Ct),
            Gateway.PostAsJsonAsync("/customers", new { name = Nul, email = Http.UniqueEmail() }, Ct),
        });
        foreach (var response in await Task.WhenAll(bad))
        {
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }

        // Eight at a time, so each lands on whichever pooled connection is free, as later clients' would.
        for (var round = 0; round < 5; round++)
        {
            var good = Enumerable.Range(0, 4).SelectMany(i => new[]
            {
                Gateway.PostAsJsonAsync("/clinics?shard=0", new { name = $"After burst {round}.{i}", timeZone = "Europe/Berlin" }, Ct),
                Gateway.PostAsJsonAsync("/customers", new { name = "After burst", email = Http.UniqueEmail() }, Ct),
            });
            foreach (var response in await Task.WhenAll(good))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
            }
        }
    }

    /// <summary>
    /// The cause of the poisoned connections, shown on the services' own connection settings: a statement
    /// that the server refuses while binding its parameters (a NUL in text) must not leave the connection
    /// unable to run that statement again. With statements auto-prepared, Npgsql 10.0.3 marks the statement
    /// prepared although its first run failed, and every later run on that connection fails.
    /// </summary>
    [Fact]
    public async Task A_statement_refused_while_binding_leaves_its_connection_able_to_run_it_again()
    {
        var settings = new NpgsqlConnectionStringBuilder(Shared.ConnectionSettings.ForServices(
            await app.App.GetConnectionStringAsync(ResourceNames.ShardDatabase(0), Ct) ?? throw new InvalidOperationException()))
        {
            MaxPoolSize = 1, // one connection, so every run below uses the same one
            ApplicationName = "hostile-input-test",
        };
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var failures = new List<string>();
        // Whichever run of the statement is the one that prepares it (the first, second, ...) fails here.
        string[] values = ["fine", Nul, "fine", Nul, Nul, "fine", Nul, "fine", "fine"];
        foreach (var (value, i) in values.Select((v, i) => (v, i)))
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT length($1::text)");
                command.Parameters.Add(new NpgsqlParameter { Value = value });
                await command.ExecuteScalarAsync(Ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CharacterNotInRepertoire && value == Nul)
            {
                // The refusal itself is expected.
            }
            catch (Exception ex)
            {
                failures.Add($"run {i} ({(value == Nul ? "NUL" : "valid")}): {ex.Message}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public async Task A_page_index_so_large_its_offset_overflows_is_refused()
    {
        var clinicId = await _api.CreateClinicIdAsync(shard: 0);
        var customer = await (await Gateway.PostAsJsonAsync("/customers", new { name = "Pager", email = Http.UniqueEmail() }, Ct)).ReadJsonAsync();
        foreach (var url in new[]
                 {
                     $"/clinics/{clinicId}/doctors", "/customers", $"/customers/{customer.GetProperty("id").GetInt64()}/bookings",
                 })
        {
            var problem = await AssertRefusedAsync(await Gateway.GetAsync($"{url}?pageIndex=2147483647&pageSize=100", Ct));
            Assert.Contains("pageIndex", problem.FieldErrors());
        }
    }

    [Fact]
    public async Task Dates_outside_the_stated_window_are_refused_before_any_work()
    {
        var clinic = await _api.CreateClinicAsync(shard: 0, timeZone: "Pacific/Honolulu");
        var clinicId = clinic.GetProperty("id").GetInt64();
        var doctorId = await _api.CreateDoctorAsync(clinicId);
        var timeSlotId = await _api.CreateTimeSlotAsync(clinicId);
        await _api.CreateTemplateAsync(doctorId, timeSlotId);

        foreach (var (from, to) in new[] { ("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02") })
        {
            foreach (var url in new[]
                     {
                         $"/doctors/{doctorId}/bookingSlots?from={from}&to={to}",
                         $"/clinics/{clinicId}/availability?from={from}&to={to}",
                         $"/doctors/{doctorId}/availability?from={from}&to={to}",
                         $"/availability/search?from={from}&to={to}",
                         $"/availability/next?from={from}",
                     })
            {
                var problem = await AssertRefusedAsync(await Gateway.GetAsync(url, Ct));
                Assert.Contains(problem.FieldErrors(), f => f is "from" or "to");
            }

            var generate = await Gateway.PostAsJsonAsync("/availability/createBookingSlots", new { clinicId, from, to }, Ct);
            Assert.Contains("from", (await AssertRefusedAsync(generate)).FieldErrors());

            var slot = await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId, timeSlotId, date = from }, Ct);
            Assert.Contains("date", (await AssertRefusedAsync(slot)).FieldErrors());
        }

        // Nothing was created for those dates, and the shard runs no statement left over from them.
        Assert.Equal(0L, await _api.ScalarAsync<long>(0,
            "SELECT count(*) FROM booking_slots WHERE clinic_id = $1 AND (date < '2000-01-01' OR date > '2100-01-01')", clinicId));
        Assert.Equal(0L, await _api.ScalarAsync<long>(0,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND query ILIKE '%INSERT INTO booking_slots%'"));
    }

    [Fact]
    public async Task Every_shard_statement_has_a_time_limit()
    {
        // The services' own settings, unpooled (see ClinicBookingApp.OpenDatabaseAsync).
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Shared.ConnectionSettings.ForServices(
            await app.App.GetConnectionStringAsync(ResourceNames.ShardDatabase(0), Ct) ?? throw new InvalidOperationException()))
        {
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SHOW statement_timeout", connection);
        var timeout = (string?)await command.ExecuteScalarAsync(Ct);
        Assert.NotEqual("0", timeout);
    }

    [Fact]
    public async Task A_header_value_that_is_not_ASCII_gets_a_400_problem_and_does_not_count_against_the_cell()
    {
        var clinicId = await _api.CreateClinicIdAsync(shard: 0);
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = Gateway.BaseAddress,
        };
        client.DefaultRequestHeaders.Authorization = Gateway.DefaultRequestHeaders.Authorization;
        foreach (var (header, url) in new[]
                 {
                     ("X-Foo", $"/clinics/{clinicId}"), ("X-Foo", "/customers"), ("Idempotency-Key", $"/clinics/{clinicId}"),
                     ("X-Foo", "/clinics"), ("X-Foo", "/availability/search"),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation(header, "ключ");
            var problem = await AssertRefusedAsync(await client.SendAsync(request, Ct));
            Assert.Contains(header, problem.GetProperty("detail").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await Gateway.GetAsync($"/clinics/{clinicId}", Ct)).StatusCode);
        Assert.Equal("Healthy", await Gateway.GetStringAsync("/health", Ct));
    }

    [Fact]
    public async Task A_415_names_the_media_type_expected_and_a_404_for_a_path_nothing_serves_says_so()
    {
        var post = await AssertRefusedAsync(await Gateway.PostAsync("/customers", new StringContent("x", Encoding.UTF8, "text/plain"), Ct), 415);
        Assert.Contains("application/json", post.GetProperty("detail").GetString());

        var customerId = (await (await Gateway.PostAsJsonAsync("/customers", new { name = "Media", email = Http.UniqueEmail() }, Ct))
            .ReadJsonAsync()).GetProperty("id").GetInt64();
        var patch = await AssertRefusedAsync(await Gateway.PatchAsync($"/customers/{customerId}", Http.Json("{}"), Ct), 415);
        Assert.Contains("application/merge-patch+json", patch.GetProperty("detail").GetString());

        var notFound = await AssertRefusedAsync(await Gateway.GetAsync("/customers/abc/bookings", Ct), 404);
        Assert.Contains("/customers/abc/bookings", notFound.GetProperty("detail").GetString());
    }
}
