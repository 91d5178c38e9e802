using System.Text.Json;
using ClinicBooking.Gateway.Routing;

namespace ClinicBooking.Gateway.Apis;

/// <summary>
/// Clinic-scoped writes whose path carries no id: the id is in the JSON body, so the gateway reads the
/// (small) body, routes by the id in it, and forwards the same bytes to the owning cell.
/// </summary>
public static class BodyRoutedApi
{
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapBodyRoutedApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/bookingSlots", (HttpRequest request, CellFanOut cells, ShardMap shards, CancellationToken ct) =>
            ForwardByBodyIdAsync(request, cells, shards, "doctorId", scoped: true, ct)).WithTags("Booking slots").WithName("CreateBookingSlot").RequireAuthorization();
        app.MapPost("/availability/createBookingSlots", (HttpRequest request, CellFanOut cells, ShardMap shards, CancellationToken ct) =>
            ForwardByBodyIdAsync(request, cells, shards, "clinicId", scoped: false, ct)).WithTags("Availability").WithName("CreateBookingSlots").RequireAuthorization();
        return app;
    }

    private static async Task<IResult> ForwardByBodyIdAsync(
        HttpRequest request, CellFanOut cells, ShardMap shards, string idProperty, bool scoped, CancellationToken ct)
    {
        // Read at most one byte past the limit, so a chunked body (no Content-Length) cannot fill memory either.
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while (buffer.Length <= MaxBodyBytes && (read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }
        if (request.ContentLength > MaxBodyBytes || buffer.Length > MaxBodyBytes)
        {
            return TypedResults.Problem($"The body may be at most {MaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Request body too large");
        }
        var body = buffer.ToArray();

        // A body without a usable id goes to any cell: it validates the body and explains what is wrong.
        var cell = shards.Cells[0];
        if (ReadId(body, idProperty) is { } id)
        {
            if (ClinicIds.ShardOf(id, scoped) is not { } shard || shards.CellOf(shard) is not { } owner)
            {
                return Problems.NotFound($"{idProperty} {id} names nothing that exists.");
            }
            cell = owner;
        }

        using var content = new ByteArrayContent(body);
        return await cells.ForwardPostAsync(cell, $"{request.Path}{request.QueryString}", content, request.ContentType, ct);
    }

    private static long? ReadId(byte[] body, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty(property, out var value)
                   && value.ValueKind == JsonValueKind.Number
                   && value.TryGetInt64(out var id)
                ? id
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
