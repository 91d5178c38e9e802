using System.Globalization;
using System.Net;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.WebApp.Api;

namespace ClinicBooking.WebApp.Components.Shared;

/// <summary>What an appointment costs, in the words the pages use, and a price as a form gives it.</summary>
public static class Prices
{
    public static string Label(Price? price) => price is { Amount: > 0 } ? price.ToString() : "Free";

    /// <summary>An amount of money as every page shows it: 45.50 EUR.</summary>
    public static string Money(decimal amount, string currency) => new Price(amount, currency).ToString();

    /// <summary>How a payment's method reads on a receipt.</summary>
    public static string Method(string method) => method switch
    {
        PaymentMethods.Card => "by card",
        PaymentMethods.Desk => "at the clinic's desk",
        PaymentMethods.Credit => "from your credit",
        PaymentMethods.Coupon => "coupon discount",
        _ => method,
    };

    /// <summary>
    /// A form's optional amount: empty is none (the API's default applies); not a number, a problem on
    /// <paramref name="field"/> as the API would have named it.
    /// </summary>
    public static (decimal? Amount, ApiProblem? Problem) AmountFromForm(string? amount, string field)
    {
        if (string.IsNullOrWhiteSpace(amount))
        {
            return (null, null);
        }
        return decimal.TryParse(amount.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? (value, null)
            : (null, new ApiProblem
            {
                Status = HttpStatusCode.BadRequest,
                Title = "One or more validation errors occurred.",
                Errors = new Dictionary<string, string[]> { [field] = ["The amount must be a number, such as 45.50."] },
            });
    }

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
