using ClinicBooking.ClinicService.TimeSlots;
using ClinicBooking.Contracts.Payments;

namespace ClinicBooking.UnitTests;

public class PriceTests
{
    [Theory]
    [InlineData("EUR", true)]
    [InlineData("USD", true)]
    [InlineData("CHF", true)]
    [InlineData("JPY", true)]
    [InlineData("eur", false)]
    [InlineData("XYZ", false)]
    [InlineData("KWD", false)] // three decimals: a price has two
    [InlineData("", false)]
    public void A_currency_is_an_ISO_4217_code_in_capitals_with_two_or_no_minor_digits(string code, bool known) =>
        Assert.Equal(known, Currencies.IsKnown(code));

    [Theory]
    [InlineData("45.50", "EUR", true)]
    [InlineData("0", "EUR", true)]
    [InlineData("100000", "EUR", true)]
    [InlineData("10.005", "EUR", false)]
    [InlineData("-0.01", "EUR", false)]
    [InlineData("100000.01", "EUR", false)]
    [InlineData("5000", "JPY", true)]
    [InlineData("100.5", "JPY", false)]
    public void A_price_is_from_free_to_the_bound_in_its_currencys_minor_units(string amount, string currency, bool valid) =>
        Assert.Equal(valid, new PriceValidator().Validate(new Price(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency)).IsValid);

    [Fact]
    public void A_price_reads_with_its_currencys_digits_and_free_is_no_price()
    {
        Assert.Equal("45.50 EUR", new Price(45.5m, "EUR").ToString());
        Assert.Equal("5,000 JPY", new Price(5000m, "JPY").ToString());
        Assert.Null(Price.Of(0m, "EUR"));
        Assert.Null(Price.Of(null, null));
        Assert.Equal(new Price(12m, "USD"), Price.Of(12m, "USD"));
    }
}
