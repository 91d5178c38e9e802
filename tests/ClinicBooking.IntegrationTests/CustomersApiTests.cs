using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>The customers API, end to end through the gateway against the real CustomerService and database.</summary>
public class CustomersApiTests(ClinicBookingApp app)
{
    private readonly HttpClient _gateway = app.Gateway;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> CreateAsync(string name = "Ann Lee", string? email = null, string? phone = "+1 555 0100")
    {
        var response = await _gateway.PostAsJsonAsync("/customers", new { name, email = email ?? Http.UniqueEmail(), phone }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task Create_returns_the_customer_and_its_location()
    {
        var email = Http.UniqueEmail("ann");
        var response = await _gateway.PostAsJsonAsync("/customers", new { name = " Ann Lee ", email, phone = "+1 555 0100" }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var customer = await response.ReadJsonAsync();
        var id = customer.GetProperty("id").GetInt64();
        Assert.Equal($"/customers/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Ann Lee", customer.GetProperty("name").GetString());
        Assert.Equal(email, customer.GetProperty("email").GetString());
        Assert.Equal("+1 555 0100", customer.GetProperty("phone").GetString());
        Assert.True(customer.GetProperty("isActive").GetBoolean());

        var read = await _gateway.GetFromJsonAsync<JsonElement>($"/customers/{id}", Ct);
        Assert.Equal(customer.ToString(), read.ToString());
    }

    [Fact]
    public async Task Create_with_malformed_json_is_a_400_problem()
    {
        var response = await _gateway.PostAsync("/customers", Http.Json("""{"name": "Ann", "email": """), Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Create_with_a_wrongly_typed_field_is_a_400_problem()
    {
        var response = await _gateway.PostAsync("/customers", Http.Json("""{"name": 42, "email": "a@example.com"}"""), Ct);

        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Create_without_a_body_is_a_400_problem()
    {
        var response = await _gateway.PostAsync("/customers", Http.Json(""), Ct);

        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Create_with_a_non_json_media_type_is_a_415_problem()
    {
        var response = await _gateway.PostAsync("/customers", Http.Json("name=Ann", "text/plain"), Ct);

        await response.AssertProblemAsync(415);
    }

    [Fact]
    public async Task Create_with_missing_fields_lists_each_field()
    {
        var response = await _gateway.PostAsync("/customers", Http.Json("{}"), Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal(["email", "name"], problem.FieldErrors());
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("ann@")]
    [InlineData("ann@example")]
    [InlineData("Ann <ann@example.com>")]
    public async Task Create_with_a_bad_email_is_a_validation_problem(string email)
    {
        var response = await _gateway.PostAsJsonAsync("/customers", new { name = "Ann", email }, Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal(["email"], problem.FieldErrors());
    }

    [Fact]
    public async Task Create_with_a_bad_phone_is_a_validation_problem()
    {
        var response = await _gateway.PostAsJsonAsync("/customers", new { name = "Ann", email = Http.UniqueEmail(), phone = "call me" }, Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal(["phone"], problem.FieldErrors());
    }

    [Fact]
    public async Task Emails_are_unique_regardless_of_case()
    {
        var email = Http.UniqueEmail("dup");
        await CreateAsync(email: email);

        var response = await _gateway.PostAsJsonAsync("/customers", new { name = "Other", email = email.ToUpperInvariant() }, Ct);

        var problem = await response.AssertProblemAsync(409);
        Assert.Contains("email", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Concurrent_sign_ups_with_one_email_create_exactly_one_customer()
    {
        var email = Http.UniqueEmail("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            _gateway.PostAsJsonAsync("/customers", new { name = $"Racer {i}", email }, Ct)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created),
            r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var list = await _gateway.GetFromJsonAsync<JsonElement>($"/customers?email={Uri.EscapeDataString(email)}", Ct);
        Assert.Equal(1, list.GetProperty("totalCount").GetInt64());
    }

    /// <summary>
    /// Issue 26, finding 9: a sign-up cut off after CustomerService created its customer (the answer lost, so
    /// IdentityService undid the account) left a customer with the email and no account, and every later
    /// sign-up of that email was refused as taken. The next sign-up now completes with that customer.
    /// </summary>
    [Fact]
    public async Task A_sign_up_cut_off_after_its_customer_was_created_is_completed_by_the_next_one()
    {
        var email = Http.UniqueEmail("cut-off");
        // What the cut-off sign-up left behind: the customer IdentityService asked for, under the sign-up's key.
        using var leftBehind = new HttpRequestMessage(HttpMethod.Post, "/customers") { Content = JsonContent.Create(new { name = "Half Signed", email }) };
        leftBehind.Headers.Add("Idempotency-Key", ClinicBooking.Contracts.Customers.SignUps.KeyOf(email));
        using var created = await _gateway.SendAsync(leftBehind, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var orphan = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();

        await Tokens.SignUpAsync(app, "Whole Signed", email.ToUpperInvariant(), Ct, phone: "+44 20 7946 0001");
        var token = await Tokens.PasswordGrantAsync(app.Anonymous, email, Tokens.Password, Ct);
        var record = await (await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/customers/{orphan}").As(token), Ct)).ReadJsonAsync();
        Assert.Equal("Whole Signed", record.GetProperty("name").GetString());
        Assert.Equal("+44 20 7946 0001", record.GetProperty("phone").GetString());

        // Once it has an account, a further sign-up of the email makes nothing (answered as any sign-up is, issue
        // 26), and the customer stays theirs.
        using var again = await app.Anonymous.PostAsJsonAsync("/account/register", new { name = "Third", email, password = Tokens.Password }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        record = await (await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/customers/{orphan}").As(token), Ct)).ReadJsonAsync();
        Assert.Equal("Whole Signed", record.GetProperty("name").GetString());
        // A customer an administrator created (no sign-up behind it) is never taken over by a sign-up, and the
        // answer does not say so either.
        var walkIn = Http.UniqueEmail("walk-in");
        var walkInId = (await CreateAsync(name: "Walk In", email: walkIn)).GetProperty("id").GetInt64();
        using var claim = await app.Anonymous.PostAsJsonAsync("/account/register", new { name = "Claimer", email = walkIn, password = Tokens.Password }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, claim.StatusCode);
        Assert.Equal("Walk In", (await (await _gateway.GetAsync($"/customers/{walkInId}", Ct)).ReadJsonAsync()).GetProperty("name").GetString());
        using var claimed = await Tokens.RequestTokenAsync(app.Anonymous, walkIn, Tokens.Password, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, claimed.StatusCode);
    }

    [Fact]
    public async Task Get_of_an_unknown_id_is_a_404_problem()
    {
        var response = await _gateway.GetAsync($"/customers/{long.MaxValue}", Ct);

        var problem = await response.AssertProblemAsync(404);
        Assert.Contains(long.MaxValue.ToString(), problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task List_pages_through_active_customers_in_id_order()
    {
        var created = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await CreateAsync(name: $"Pager {i}")).GetProperty("id").GetInt64());
        }

        var first = await _gateway.GetFromJsonAsync<JsonElement>("/customers?pageSize=2&pageIndex=0", Ct);
        var total = first.GetProperty("totalCount").GetInt64();
        Assert.True(total >= 3);
        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal(2, first.GetProperty("pageSize").GetInt32());

        var ids = new List<long>();
        for (var page = 0; page * 50 < total; page++)
        {
            var result = await _gateway.GetFromJsonAsync<JsonElement>($"/customers?pageSize=50&pageIndex={page}", Ct);
            ids.AddRange(result.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
        }
        Assert.Equal(total, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Subset(ids.ToHashSet(), created.ToHashSet());
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("pageIndex=-1", "pageIndex")]
    public async Task List_refuses_out_of_range_paging(string query, string field)
    {
        var response = await _gateway.GetAsync($"/customers?{query}", Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal([field], problem.FieldErrors());
    }

    [Fact]
    public async Task List_with_a_non_numeric_page_is_a_400_problem()
    {
        var response = await _gateway.GetAsync("/customers?pageSize=lots", Ct);

        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Put_replaces_the_editable_fields()
    {
        var id = (await CreateAsync()).GetProperty("id").GetInt64();
        var email = Http.UniqueEmail("put");

        var response = await _gateway.PutAsJsonAsync($"/customers/{id}", new { name = "Ann Smith", email }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = await _gateway.GetFromJsonAsync<JsonElement>($"/customers/{id}", Ct);
        Assert.Equal("Ann Smith", read.GetProperty("name").GetString());
        Assert.Equal(email, read.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("phone").ValueKind); // left out of a PUT: cleared
        Assert.True(read.GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task Put_with_invalid_fields_changes_nothing()
    {
        var created = await CreateAsync();
        var id = created.GetProperty("id").GetInt64();

        var response = await _gateway.PutAsJsonAsync($"/customers/{id}", new { name = "", email = "bad" }, Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal(["email", "name"], problem.FieldErrors());
        var read = await _gateway.GetFromJsonAsync<JsonElement>($"/customers/{id}", Ct);
        Assert.Equal(created.ToString(), read.ToString());
    }

    [Fact]
    public async Task Put_to_another_customers_email_is_a_409()
    {
        var other = Http.UniqueEmail("taken");
        await CreateAsync(email: other);
        var id = (await CreateAsync()).GetProperty("id").GetInt64();

        var response = await _gateway.PutAsJsonAsync($"/customers/{id}", new { name = "Ann", email = other }, Ct);

        await response.AssertProblemAsync(409);
    }

    [Fact]
    public async Task Put_of_an_unknown_id_is_a_404_problem()
    {
        var response = await _gateway.PutAsJsonAsync($"/customers/{long.MaxValue}", new { name = "Ann", email = Http.UniqueEmail() }, Ct);

        await response.AssertProblemAsync(404);
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_it_names_and_null_clears()
    {
        var created = await CreateAsync(name: "Patchy", phone: "+1 555 0100");
        var id = created.GetProperty("id").GetInt64();

        var response = await _gateway.PatchAsync($"/customers/{id}",
            Http.Json("""{"name": "Patchy McPatch", "phone": null}""", "application/merge-patch+json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = await _gateway.GetFromJsonAsync<JsonElement>($"/customers/{id}", Ct);
        Assert.Equal("Patchy McPatch", read.GetProperty("name").GetString());
        Assert.Equal(created.GetProperty("email").GetString(), read.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("phone").ValueKind);
    }

    [Fact]
    public async Task Patch_that_removes_a_required_field_is_a_validation_problem()
    {
        var id = (await CreateAsync()).GetProperty("id").GetInt64();

        var response = await _gateway.PatchAsync($"/customers/{id}",
            Http.Json("""{"email": null}""", "application/merge-patch+json"), Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal(["email"], problem.FieldErrors());
    }

    [Theory]
    [InlineData("""{"id": 5}""")]
    [InlineData("""{"createdAt": "2020-01-01T00:00:00Z"}""")]
    [InlineData("""{"nmae": "typo"}""")]
    public async Task Patch_of_a_field_that_cannot_be_patched_is_refused(string patch)
    {
        var created = await CreateAsync();
        var id = created.GetProperty("id").GetInt64();

        var response = await _gateway.PatchAsync($"/customers/{id}", Http.Json(patch, "application/merge-patch+json"), Ct);

        await response.AssertProblemAsync(400);
        var read = await _gateway.GetFromJsonAsync<JsonElement>($"/customers/{id}", Ct);
        Assert.Equal(created.ToString(), read.ToString());
    }

    [Theory]
    [InlineData("""["name"]""")]
    [InlineData("\"Ann\"")]
    [InlineData("""{"name": 7}""")]
    [InlineData("""{"isActive": "yes"}""")]
    [InlineData("""{"name": """)]
    public async Task Patch_that_is_not_a_usable_object_is_a_400_problem(string patch)
    {
        var id = (await CreateAsync()).GetProperty("id").GetInt64();

        var response = await _gateway.PatchAsync($"/customers/{id}", Http.Json(patch, "application/merge-patch+json"), Ct);

        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Patch_of_an_unknown_id_is_a_404_problem()
    {
        var response = await _gateway.PatchAsync($"/customers/{long.MaxValue}",
            Http.Json("""{"name": "Ghost"}""", "application/merge-patch+json"), Ct);

        await response.AssertProblemAsync(404);
    }

    [Fact]
    public async Task Delete_deactivates_and_hides_the_customer_from_the_default_list()
    {
        var email = Http.UniqueEmail("gone");
        var id = (await CreateAsync(email: email)).GetProperty("id").GetInt64();

        var response = await _gateway.DeleteAsync($"/customers/{id}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        // Still there, marked inactive: bookings may refer to it.
        var read = await _gateway.GetFromJsonAsync<JsonElement>($"/customers/{id}", Ct);
        Assert.False(read.GetProperty("isActive").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, read.GetProperty("deactivatedAt").ValueKind);

        var query = $"/customers?email={Uri.EscapeDataString(email)}";
        var active = await _gateway.GetFromJsonAsync<JsonElement>(query, Ct);
        Assert.Equal(0, active.GetProperty("totalCount").GetInt64());
        var all = await _gateway.GetFromJsonAsync<JsonElement>(query + "&includeInactive=true", Ct);
        Assert.Equal(id, all.GetProperty("items")[0].GetProperty("id").GetInt64());

        // Deleting again is harmless.
        Assert.Equal(HttpStatusCode.NoContent, (await _gateway.DeleteAsync($"/customers/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Delete_of_an_unknown_id_is_a_404_problem()
    {
        var response = await _gateway.DeleteAsync($"/customers/{long.MaxValue}", Ct);

        await response.AssertProblemAsync(404);
    }

    [Fact]
    public async Task A_deactivated_customer_is_not_reactivated_by_an_ordinary_update()
    {
        var created = await CreateAsync();
        var id = created.GetProperty("id").GetInt64();
        var email = created.GetProperty("email").GetString();
        await _gateway.DeleteAsync($"/customers/{id}", Ct);

        var put = await _gateway.PutAsJsonAsync($"/customers/{id}", new { name = "Back", email }, Ct);
        var patch = await _gateway.PatchAsync($"/customers/{id}", Http.Json("""{"name": "Back"}""", "application/merge-patch+json"), Ct);

        var problem = await put.AssertProblemAsync(409);
        Assert.Contains("isActive", problem.GetProperty("detail").GetString());
        await patch.AssertProblemAsync(409);
        var read = await _gateway.GetFromJsonAsync<JsonElement>($"/customers/{id}", Ct);
        Assert.False(read.GetProperty("isActive").GetBoolean());
        Assert.Equal(created.GetProperty("name").GetString(), read.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_deactivated_customer_is_reactivated_explicitly()
    {
        var id = (await CreateAsync()).GetProperty("id").GetInt64();
        await _gateway.DeleteAsync($"/customers/{id}", Ct);

        var response = await _gateway.PatchAsync($"/customers/{id}",
            Http.Json("""{"isActive": true}""", "application/merge-patch+json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = await response.ReadJsonAsync();
        Assert.True(read.GetProperty("isActive").GetBoolean());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("deactivatedAt").ValueKind);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_customer_endpoint()
    {
        var document = await _gateway.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);

        var paths = document.GetProperty("paths");
        var collection = paths.GetProperty("/customers");
        var item = paths.GetProperty("/customers/{id}");
        Assert.True(collection.TryGetProperty("get", out _));
        Assert.True(collection.TryGetProperty("post", out _));
        foreach (var verb in new[] { "get", "put", "patch", "delete" })
        {
            Assert.True(item.TryGetProperty(verb, out _), $"{verb} /customers/{{id}} is not documented");
        }
    }
}
