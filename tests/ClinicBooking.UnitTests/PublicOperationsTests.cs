using System.Text.Json.Nodes;
using ClinicBooking.Gateway.Access;
using Microsoft.AspNetCore.Http;

namespace ClinicBooking.UnitTests;

/// <summary>
/// Issue 27, finding 4: the gateway learns which operations are public from the services' own declarations (an
/// operation without a security requirement in their OpenAPI documents), not from a list of its own.
/// </summary>
public class PublicOperationsTests
{
    private static readonly JsonArray NeedsToken = [new JsonObject { ["oauth2"] = new JsonArray("api") }];

    private static JsonObject Operation(JsonArray? security) => new()
    {
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        ["security"] = security?.DeepClone(),
    };

    private static readonly PublicOperations Operations = PublicOperations.FromDocument(new JsonObject
    {
        ["paths"] = new JsonObject
        {
            ["/clinics/{clinicId}/doctors"] = new JsonObject { ["get"] = Operation([]), ["post"] = Operation(NeedsToken) },
            ["/doctors/{id}"] = new JsonObject { ["get"] = Operation(null), ["patch"] = Operation(NeedsToken) },
            ["/doctors/{doctorId}/slots"] = new JsonObject { ["get"] = Operation([]) },
            ["/doctors/slots/{id}"] = new JsonObject { ["get"] = Operation(NeedsToken), ["parameters"] = new JsonArray() },
            ["/account/register"] = new JsonObject { ["post"] = Operation([]) },
        },
    });

    [Theory]
    [InlineData("GET", "/clinics/64/doctors", true)]
    [InlineData("get", "/Clinics/64/Doctors/", true)]          // routing ignores case and a trailing slash
    [InlineData("POST", "/clinics/64/doctors", false)]
    [InlineData("GET", "/doctors/68719476737", true)]           // no requirement at all: public
    [InlineData("PATCH", "/doctors/68719476737", false)]
    [InlineData("GET", "/doctors/7/slots", true)]
    [InlineData("GET", "/doctors/slots/5", false)]
    [InlineData("GET", "/doctors/slots/slots", false)]          // both templates match: the literal one wins, as in routing
    [InlineData("POST", "/account/register", true)]
    [InlineData("GET", "/account/register", false)]            // another method of a public path
    [InlineData("GET", "/clinics/64/doctors/extra", false)]     // undocumented: signed in only
    [InlineData("DELETE", "/clinics/64", false)]
    public void An_operation_is_public_exactly_when_its_service_declares_no_security_requirement(string method, string path, bool expected) =>
        Assert.Equal(expected, Operations.IsPublic(method, new PathString(path)));
}
