using System.Globalization;
using System.Net;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.WebApp.Api;

namespace ClinicBooking.WebApp.Components.Shared;

/// <summary>What an appointment costs, in the words the pages use, and a price as a form gives it.</summary>
public static class Prices
{
    public static string Label(Price? price) => price is { Amount: > 0 } ? price.ToString() : "Free";

    /// <summary>
    /// A form's amount and currency as the API's price: no amount, no price (free); an amount that is not a
    /// number, a problem on <c>price.amount</c> as the API would have named it.
    /// </summary>
    public static (Price? Price, ApiProblem? Problem) FromForm(string? amount, string? currency)
    {
        if (string.IsNullOrWhiteSpace(amount))
        {
            return (null, null);
        }
        if (!decimal.TryParse(amount.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            return (null, new ApiProblem
            {
                Status = HttpStatusCode.BadRequest,
                Title = "One or more validation errors occurred.",
                Errors = new Dictionary<string, string[]> { ["price.amount"] = ["The price must be a number, such as 45.50."] },
            });
        }
        return (new Price(value, currency?.Trim().ToUpperInvariant() ?? ""), null);
    }
}
