using System.Globalization;

namespace ClinicBooking.Contracts.Payments;

/// <summary>
/// What an appointment costs: an amount in the currency's major unit (45.50 EUR) and its ISO 4217 code. A shift
/// or a doctor's template sets one; a slot and its booking carry the one in force when they were made. No price,
/// or an amount of 0, is free.
/// </summary>
public sealed record Price(decimal Amount, string Currency)
{
    /// <summary>The most an appointment may cost, in any currency: a typo's guard, not a policy.</summary>
    public const decimal MaxAmount = 100_000m;

    /// <summary>The price as stored (two columns), or null when free.</summary>
    public static Price? Of(decimal? amount, string? currency) =>
        amount is > 0 && currency is not null ? new Price(amount.Value, currency) : null;

    /// <summary>"45.50 EUR"; amounts keep the currency's minor digits.</summary>
    public override string ToString() =>
        $"{Amount.ToString("N" + Currencies.MinorDigits(Currency), CultureInfo.InvariantCulture)} {Currency}";
}

/// <summary>The currencies a price may be in: ISO 4217 codes of the regions .NET knows, with two or no minor digits.</summary>
public static class Currencies
{
    // Currencies without minor units, as payment providers (Stripe among them) count them: their amounts are whole.
    private static readonly HashSet<string> ZeroDecimal =
        ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    // Three-decimal currencies are left out: a price is stored with two decimals.
    private static readonly HashSet<string> ThreeDecimal = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

    /// <summary>Every accepted code.</summary>
    public static readonly IReadOnlySet<string> All = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(culture => { try { return new RegionInfo(culture.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
        .OfType<string>()
        .Where(code => code.Length == 3 && code.All(char.IsAsciiLetterUpper) && !ThreeDecimal.Contains(code))
        .ToHashSet(StringComparer.Ordinal);

    public static bool IsKnown(string? code) => code is not null && All.Contains(code);

    /// <summary>Digits after the decimal point: 0 for the yen and its like, 2 for the others.</summary>
    public static int MinorDigits(string code) => ZeroDecimal.Contains(code) ? 0 : 2;

    /// <summary>Whether <paramref name="amount"/> has no more decimals than the currency has minor digits.</summary>
    public static bool FitsMinorUnits(decimal amount, string code) =>
        decimal.Round(amount, MinorDigits(code)) == amount;
}
