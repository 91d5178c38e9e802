using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClinicBooking.WebApp.Api;

/// <summary>The API's JSON: web defaults (camelCase), enums by their lowercase names.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
