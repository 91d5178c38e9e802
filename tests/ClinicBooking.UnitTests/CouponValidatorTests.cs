using ClinicBooking.PaymentService.Coupons;

namespace ClinicBooking.UnitTests;

/// <summary>What a coupon may be, decided before anything is stored: one kind of discount, its currency with an amount only.</summary>
public class CouponValidatorTests
{
    private const long Clinic = 64;

    private static IDictionary<string, string[]> Errors(CouponRequest request) => new CouponRequestValidator().Validate(request).ToDictionary();

    [Fact]
    public void A_percentage_or_an_amount_in_a_currency_is_a_coupon()
    {
        Assert.Empty(Errors(new CouponRequest(Clinic, "spring-20", 20, null, null, DateTimeOffset.UtcNow.AddDays(1), 100)));
        Assert.Empty(Errors(new CouponRequest(Clinic, "TEN", null, 10.50m, "EUR", null, null)));
        Assert.Empty(Errors(new CouponRequest(Clinic, "YEN-500", null, 500m, "JPY", null, 1)));
    }

    [Theory]
    [InlineData(20, 5.0, null, "percentOff")]     // both kinds
    [InlineData(null, null, null, "percentOff")]  // neither
    [InlineData(0, null, null, "percentOff")]     // nothing off
    [InlineData(101, null, null, "percentOff")]   // more than all of it
    [InlineData(10, null, "EUR", "currency")]     // a percentage has no currency
    [InlineData(null, 5.0, null, "currency")]     // an amount needs one
    [InlineData(null, 5.0, "XYZ", "currency")]    // not ISO 4217
    [InlineData(null, 5.5, "JPY", "currency")]    // yen are whole
    [InlineData(null, -5.0, "EUR", "amountOff")]
    public void A_discount_that_is_not_exactly_one_kind_is_refused(int? percentOff, double? amountOff, string? currency, string field)
    {
        var errors = Errors(new CouponRequest(Clinic, "CODE-1", percentOff, (decimal?)amountOff, currency, null, null));
        Assert.Contains(field, errors.Keys);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("-DASH")]
    [InlineData("WITH SPACE")]
    [InlineData("ÉTÉ-20")]
    [InlineData("A-CODE-THAT-IS-FAR-TOO-LONG-TO-TYPE")]
    public void A_code_is_letters_digits_and_dashes(string code) =>
        Assert.Contains("code", Errors(new CouponRequest(Clinic, code, 10, null, null, null, null)).Keys);

    [Fact]
    public void An_expiry_in_the_past_and_a_limit_below_one_are_refused()
    {
        var errors = Errors(new CouponRequest(Clinic, "LATE", 10, null, null, DateTimeOffset.UtcNow.AddMinutes(-1), 0));
        Assert.Contains("expiresAt", errors.Keys);
        Assert.Contains("maxRedemptions", errors.Keys);
    }
}
