using System.Text.Json;
using System.Text.Json.Nodes;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ServiceDefaults;

/// <summary>JSON Merge Patch (RFC 7396).</summary>
public static class JsonMergePatch
{
    public const string MediaType = "application/merge-patch+json";

    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="target"/>: members of a patch object replace the
    /// target's, <c>null</c> removes a member, and a patch that is not an object replaces the target.
    /// </summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = Apply(result[name], value);
            }
        }
        return result;
    }
}

/// <summary>Applies a merge patch to the editable fields of a resource, shaped as its update request.</summary>
public static class MergePatch
{
    /// <summary>
    /// Merges <paramref name="patch"/> into <paramref name="current"/> (serialized with the API's JSON
    /// options) and reads the result back as <typeparamref name="TRequest"/>. Refused with a 400 problem when
    /// the patch is not an object, names a member outside <paramref name="patchable"/> (refused rather than
    /// ignored, so a typo never looks like success), or gives a member a value of the wrong type.
    /// </summary>
    public static TRequest Apply<TRequest>(TRequest current, JsonNode? patch, JsonSerializerOptions options, IReadOnlyCollection<string> patchable)
    {
        if (patch is not JsonObject patchObject)
        {
            throw ProblemException.BadRequest("A merge patch must be a JSON object naming the fields to change.");
        }
        var unknown = patchObject.Select(p => p.Key).Where(k => !patchable.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw ProblemException.BadRequest($"Only {string.Join(", ", patchable)} can be patched; not {string.Join(", ", unknown)}.");
        }
        try
        {
            var merged = JsonMergePatch.Apply(JsonSerializer.SerializeToNode(current, options), patchObject);
            return JsonSerializer.Deserialize<TRequest>(merged, options)
                ?? throw ProblemException.BadRequest("A merge patch must leave a JSON object.");
        }
        catch (JsonException ex)
        {
            throw ProblemException.BadRequest($"The patch has a value of the wrong type: {ex.Message}");
        }
    }
}

/// <summary>
/// The PATCH of a resource: its editable fields as <typeparamref name="TRequest"/> (its PUT body), the merge
/// patch applied to them, and the result validated as a PUT body is, so both go through the same rules.
/// </summary>
public sealed class MergePatcher<TRequest>(IOptions<JsonOptions> json, IValidator<TRequest> validator, IHttpContextAccessor http)
{
    public async Task<TRequest> ApplyAsync(TRequest current, JsonNode? patch, IReadOnlyCollection<string> patchable, CancellationToken ct)
    {
        // The fields a patch names are the fields it sets, each checked against its owners as a PUT's are.
        if (patch is JsonObject fields && http.HttpContext is { } context)
        {
            FieldOwnershipCheck.ThrowIfNotOwned(typeof(TRequest), context.User, fields.Where(f => f.Value is not null).Select(f => f.Key));
        }
        var merged = MergePatch.Apply(current, patch, json.Value.SerializerOptions, patchable);
        await validator.ValidateOrThrowAsync(merged, ct);
        return merged;
    }
}
