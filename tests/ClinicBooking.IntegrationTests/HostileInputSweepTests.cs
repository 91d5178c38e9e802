using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Every operation in the gateway's OpenAPI document, sent what a hostile or careless client sends: NUL
/// characters, over-long strings, wrong JSON types, extreme numbers and dates, non-ASCII headers and oversized
/// bodies (with and without Content-Length). Each must answer a 4xx problem that says what is wrong, never a
/// 5xx, and a valid request right after must still succeed.
/// </summary>
public class HostileInputSweepTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] HostileText = ["a\u0000b", new string('x', 5000), "\u0007bell", "\ud800"];
    private static readonly string[] HostileIntegers = ["99999999999999999999", "-99999999999999999999", "1e308", "NaN", "0x10"];
    private static readonly string[] HostileDates = ["9999-12-31", "0001-01-01", "2027-02-30", "+275760-09-13"];

    [Fact]
    public async Task Every_operation_refuses_hostile_input_with_a_4xx_problem_and_the_next_valid_request_succeeds()
    {
        var document = JsonNode.Parse(await app.Gateway.GetStringAsync("/openapi/v1.json", Ct))!;
        var ids = await CreateObjectsAsync();
        var failures = new List<string>();
        var sent = 0;

        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = app.Gateway.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = app.Gateway.DefaultRequestHeaders.Authorization;

        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            var path = FillPath(template, ids);
            foreach (var (method, operationNode) in item!.AsObject())
            {
                var operation = operationNode!.AsObject();
                foreach (var (description, request) in Variants(method, path, operation, document))
                {
                    sent++;
                    using var response = await client.SendAsync(request, Ct);
                    var status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync(Ct);
                    var label = $"{method.ToUpperInvariant()} {template} with {description}";
                    if (status is < 400 or >= 500)
                    {
                        failures.Add($"{label}: {status} {Truncate(body)}");
                    }
                    else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || !SaysWhy(body))
                    {
                        failures.Add($"{label}: {status} without a problem that says why: {Truncate(body)}");
                    }

                    // A valid request right after, on the same operation's service, still succeeds.
                    var check = await app.Gateway.GetAsync(template.StartsWith("/customers") ? $"/customers/{ids["customer"]}" : $"/clinics/{ids["clinic"]}", Ct);
                    if (check.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Add($"after {label}: a valid read answered {(int)check.StatusCode}");
                    }
                }
            }
        }

        var created = await app.Gateway.PostAsJsonAsync("/customers", new { name = "After the sweep", email = Http.UniqueEmail() }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(sent > 300, $"Only {sent} hostile requests were generated.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} hostile requests were not refused properly:\n" + string.Join("\n", failures));
    }

    /// <summary>The hostile requests for one operation, each built from the document's description of it.</summary>
    private static IEnumerable<(string, HttpRequestMessage)> Variants(string method, string path, JsonObject operation, JsonNode document)
    {
        var httpMethod = new HttpMethod(method.ToUpperInvariant());
        var mediaType = operation["requestBody"]?["content"]?.AsObject().Select(c => c.Key).FirstOrDefault();

        var header = new HttpRequestMessage(httpMethod, path);
        header.Headers.TryAddWithoutValidation("X-Sweep", "ключ");
        yield return ("a non-ASCII header", header);

        foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
        {
            if (parameter?["in"]?.GetValue<string>() != "query")
            {
                continue;
            }
            var name = parameter["name"]!.GetValue<string>();
            // A query string is UTF-8: an unpaired surrogate cannot travel in it (only in a JSON body).
            foreach (var value in HostileValues(parameter["schema"]).Where(v => !v.Any(char.IsSurrogate)))
            {
                yield return ($"{name}={Describe(value)}", new HttpRequestMessage(httpMethod, $"{path}?{name}={Uri.EscapeDataString(value)}"));
            }
        }

        if (mediaType is null)
        {
            yield break;
        }
        var schema = Resolve(operation["requestBody"]!["content"]![mediaType]!["schema"], document);
        foreach (var (property, propertySchema) in schema?["properties"]?.AsObject() ?? [])
        {
            var resolved = Resolve(propertySchema, document);
            foreach (var value in HostileValues(resolved))
            {
                yield return ($"body {property}={Describe(value)}", Body(httpMethod, path, mediaType, new JsonObject { [property] = value }.ToJsonString()));
            }
            yield return ($"body {property} of the wrong JSON type", Body(httpMethod, path, mediaType,
                new JsonObject { [property] = new JsonObject { ["nested"] = new JsonArray(true) } }.ToJsonString()));
        }
        yield return ("a body that is a JSON array", Body(httpMethod, path, mediaType, "[1, 2, 3]"));
        yield return ("a body that is not JSON", Body(httpMethod, path, mediaType, "{\"name\": "));
        yield return ("a body with a number beyond double", Body(httpMethod, path, mediaType, "{\"x\": 1e999}"));

        var oversized = "{\"name\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";
        yield return ("a 2 MB body with Content-Length", Body(httpMethod, path, mediaType, oversized));
        var chunked = new HttpRequestMessage(httpMethod, path)
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(oversized))),
        };
        chunked.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        chunked.Headers.TransferEncodingChunked = true;
        yield return ("a 2 MB chunked body", chunked);
    }

    /// <summary>Values no rule of a parameter or field of this schema accepts.</summary>
    private static IEnumerable<string> HostileValues(JsonNode? schema)
    {
        var types = schema?["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        var format = schema?["format"]?.GetValue<string>();
        if (format == "date")
        {
            return HostileDates;
        }
        if (types.Contains("integer") || types.Contains("number"))
        {
            return HostileIntegers;
        }
        if (types.Contains("boolean"))
        {
            return ["maybe", "99999999999999999999"];
        }
        return types.Contains("string") ? HostileText : [];
    }

    private static HttpRequestMessage Body(HttpMethod method, string path, string mediaType, string json) =>
        new(method, path) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    private static JsonNode? Resolve(JsonNode? schema, JsonNode document) =>
        schema?["$ref"]?.GetValue<string>() is { } reference
            ? document["components"]!["schemas"]![reference.Split('/')[^1]]
            : schema;

    private static bool SaysWhy(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.SaysWhy();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Real objects, so every path names something that exists and the request reaches its handler.</summary>
    private async Task<Dictionary<string, long>> CreateObjectsAsync()
    {
        var clinic = await _api.CreateClinicIdAsync(shard: 0);
        var doctor = await _api.CreateDoctorAsync(clinic);
        var timeSlot = await _api.CreateTimeSlotAsync(clinic);
        var template = await _api.CreateTemplateAsync(doctor, timeSlot);
        var slot = (await (await app.Gateway.PostAsJsonAsync("/bookingSlots",
            new { doctorId = doctor, timeSlotId = timeSlot, date = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(20) }, Ct)).ReadJsonAsync())
            .GetProperty("id").GetInt64();
        var (booking, customer) = await _api.BookAsync(slot);
        return new()
        {
            ["clinic"] = clinic, ["doctor"] = doctor, ["timeSlot"] = timeSlot, ["template"] = template,
            ["slot"] = slot, ["customer"] = customer, ["booking"] = booking,
        };
    }

    private static string FillPath(string template, Dictionary<string, long> ids)
    {
        var kind = template switch
        {
            _ when template.StartsWith("/clinics/") => "clinic",
            _ when template.StartsWith("/doctors/slots/") => "template",
            _ when template.StartsWith("/doctors/") => "doctor",
            _ when template.StartsWith("/timeslots/") => "timeSlot",
            _ when template.StartsWith("/bookingSlots/") => "slot",
            _ when template.StartsWith("/bookings/") => "booking",
            _ when template.StartsWith("/customers/") => "customer",
            _ => null,
        };
        return kind is null ? template : System.Text.RegularExpressions.Regex.Replace(template, "{[^}]+}", ids[kind].ToString());
    }

    private static string Describe(string value) =>
        value.Length > 40 ? $"<{value.Length} characters>" : JsonSerializer.Serialize(value);

    private static string Truncate(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
