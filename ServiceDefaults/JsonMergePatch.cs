using System.Text.Json.Nodes;

namespace ClinicBooking;

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
    /// options) and reads the result back as <typeparamref name="TRequest"/>. Returns a 400 problem when
    /// the patch is not an object, names a member outside <paramref name="patchable"/> (refused rather than
    /// ignored, so a typo never looks like success), or gives a member a value of the wrong type.
    /// </summary>
    public static (TRequest? Value, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Problem) Apply<TRequest>(
        TRequest current, System.Text.Json.Nodes.JsonNode? patch, System.Text.Json.JsonSerializerOptions options,
        IReadOnlyCollection<string> patchable)
    {
        if (patch is not System.Text.Json.Nodes.JsonObject patchObject)
        {
            return (default, Microsoft.Extensions.Hosting.Problems.BadRequest(
                "A merge patch must be a JSON object naming the fields to change."));
        }
        var unknown = patchObject.Select(p => p.Key).Where(k => !patchable.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            return (default, Microsoft.Extensions.Hosting.Problems.BadRequest(
                $"Only {string.Join(", ", patchable)} can be patched; not {string.Join(", ", unknown)}."));
        }
        try
        {
            var merged = JsonMergePatch.Apply(System.Text.Json.JsonSerializer.SerializeToNode(current, options), patchObject);
            return (System.Text.Json.JsonSerializer.Deserialize<TRequest>(merged, options), null);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return (default, Microsoft.Extensions.Hosting.Problems.BadRequest($"The patch has a value of the wrong type: {ex.Message}"));
        }
    }
}
