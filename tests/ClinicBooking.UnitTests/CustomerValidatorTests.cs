using ClinicBooking.CustomerService.Customers;
using ClinicBooking.CustomerService.Data;

namespace ClinicBooking.UnitTests;

public class CustomerValidatorTests
{
    private static (Customer? Fields, IDictionary<string, string[]> Errors) Validate(string? name, string? email, string? phone)
    {
        var errors = new CreateCustomerRequestValidator().Validate(new CreateCustomerRequest(name, email, phone)).ToDictionary();
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        // What the API stores for a valid request.
        var customer = new Customer { Name = "", Email = "" };
        customer.SetFields(name!, email!, phone, DateTimeOffset.UnixEpoch);
        return (customer, errors);
    }

    [Fact]
    public void Valid_fields_are_trimmed_and_accepted()
    {
        var (fields, errors) = Validate("  Ann Lee ", " ann@example.com ", " +44 (20) 7946-0958 ");

        Assert.Empty(errors);
        Assert.Equal(("Ann Lee", "ann@example.com", "+44 (20) 7946-0958"), (fields!.Name, fields.Email, fields.Phone));
    }

    [Fact]
    public void Blank_phone_means_no_phone()
    {
        var (fields, errors) = Validate("Ann", "ann@example.com", "   ");

        Assert.Empty(errors);
        Assert.Null(fields!.Phone);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Name_is_required(string? name)
    {
        var (fields, errors) = Validate(name, "ann@example.com", null);

        Assert.Null(fields);
        Assert.Equal(["name"], errors.Keys);
    }

    [Fact]
    public void Name_longer_than_the_column_is_refused()
    {
        var (_, errors) = Validate(new string('a', 201), "ann@example.com", null);

        Assert.Contains("name", errors.Keys);
    }

    [Theory]
    [InlineData("plainaddress")]
    [InlineData("@example.com")]
    [InlineData("ann@")]
    [InlineData("ann@example")]
    [InlineData("ann lee@example.com")]
    [InlineData("Ann <ann@example.com>")]
    [InlineData("ann@@example.com")]
    public void Malformed_emails_are_refused(string email)
    {
        var (fields, errors) = Validate("Ann", email, null);

        Assert.Null(fields);
        Assert.Equal(["email"], errors.Keys);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("call me")]
    [InlineData("+1 555 0100 ext. 7")]
    [InlineData("1234567890123456")]
    public void Malformed_phones_are_refused(string phone)
    {
        var (_, errors) = Validate("Ann", "ann@example.com", phone);

        Assert.Equal(["phone"], errors.Keys);
    }

    [Fact]
    public void Every_invalid_field_is_reported_at_once()
    {
        var (_, errors) = Validate(null, "nope", "x");

        Assert.Equal(["email", "name", "phone"], errors.Keys.Order());
    }
}
