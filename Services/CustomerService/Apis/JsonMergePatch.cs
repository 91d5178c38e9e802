using System.Text.Json.Nodes;

namespace ClinicBooking.CustomerService.Apis;

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
