using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// The saga's verify step, CustomerService's side, in seconds: the consumer over MassTransit's in-memory harness
/// and a real PostgreSQL, asked as a cell asks (one batch message, answered to its response address).
/// </summary>
public sealed class VerifyCustomersConsumerTests(ScratchPostgres postgres) : IAsyncLifetime
{
    private CustomerServiceHost _service = null!;
    private const long Clinic = 1 << 20;

    public async ValueTask InitializeAsync() => _service = await CustomerServiceHost.StartAsync(postgres, $"verify_{Guid.NewGuid():N}");

    public ValueTask DisposeAsync() => _service.DisposeAsync();

    [Fact]
    public async Task Answers_each_question_of_a_batch_and_lists_the_accepted_bookings_at_once()
    {
        var active = await _service.NewCustomerAsync("Ada Active");
        var inactive = await _service.NewCustomerAsync("Ian Inactive");
        await _service.WithDbAsync(async db =>
        {
            var customer = await db.Customers.SingleAsync(c => c.Id == inactive);
            customer.Deactivate(DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync();
        });
        var stranger = await _service.NewCustomerAsync("Sam Stranger");

        var verdicts = await AskAsync(
            Question(1, active, Bookers.Customer),
            Question(2, inactive, Bookers.Customer),
            Question(3, stranger, Bookers.Staff), // staff, for someone who never came to the clinic
            Question(4, 999_999, Bookers.Customer),
            Question(5, 999_999, Bookers.Staff)); // to staff, an unknown id looks like any stranger

        Assert.Equal([(1L, (string?)null), (2, CustomerVerdict.InactiveCustomer), (3, CustomerVerdict.NotVerified),
                (4, CustomerVerdict.UnknownCustomer), (5, CustomerVerdict.NotVerified)],
            verdicts.Select(v => (v.BookingId, v.RejectionReason)));
        // The accepted booking is in the customer's list from now on (pending), and the customer is the clinic's patient.
        Assert.Equal(BookingStatus.Pending, await _service.WithDbAsync(db => db.CustomerBookings.Where(b => b.BookingId == 1).Select(b => b.Status).SingleAsync()));
        Assert.True(await _service.WithDbAsync(db => db.ClinicPatients.AnyAsync(p => p.ClinicId == Clinic && p.CustomerId == active)));

        // The same question again gets the same answer, and lists nothing twice.
        Assert.Null(Assert.Single(await AskAsync(Question(1, active, Bookers.Customer))).RejectionReason);
        Assert.Equal(1, await _service.WithDbAsync(db => db.CustomerBookings.CountAsync(b => b.CustomerId == active)));
    }

    [Fact]
    public async Task Caps_a_customers_upcoming_bookings_at_one_clinic_within_one_batch()
    {
        var hoarder = await _service.NewCustomerAsync("Hal Hoarder");
        var verdicts = await AskAsync([.. Enumerable.Range(0, 7).Select(i => Question(100 + i, hoarder, Bookers.Customer))]);
        // Five per clinic (BookingCaps:PerClinic): the sixth and seventh are refused.
        Assert.Equal(5, verdicts.Count(v => v.RejectionReason is null));
        Assert.All(verdicts.Skip(5), v => Assert.Equal(CustomerVerdict.TooManyBookings, v.RejectionReason));
    }

    private static Traced<VerifyCustomer> Question(long bookingId, long customerId, string bookedBy)
    {
        var start = DateTimeOffset.UtcNow.AddDays(2).AddHours(bookingId);
        return new Traced<VerifyCustomer>(Guid.NewGuid(), new VerifyCustomer(bookingId, customerId, Clinic, bookingId, 7, start, start.AddMinutes(30),
            DateTimeOffset.UtcNow.AddMinutes(1), DateTimeOffset.UtcNow, "Europe/Berlin", bookedBy), null);
    }

    private async Task<IReadOnlyList<CustomerVerdict>> AskAsync(params Traced<VerifyCustomer>[] questions)
    {
        var client = _service.Harness.GetRequestClient<VerifyCustomers>();
        var response = await client.GetResponse<CustomerVerdicts>(new VerifyCustomers(questions), TestContext.Current.CancellationToken);
        return [.. response.Message.Verdicts.Select(v => v.Message)];
    }
}
