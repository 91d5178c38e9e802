using System.Security.Claims;
using ClinicBooking.Contracts;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.Messages;
using ClinicBooking.PaymentService.Checkouts;
using ClinicBooking.PaymentService.Coupons;
using ClinicBooking.PaymentService.Credit;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Extensions;
using Microsoft.Extensions.Configuration;
using ClinicBooking.PaymentService.Invoices;
using ClinicBooking.PaymentService.Payments;
using ClinicBooking.ServiceDefaults;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// PaymentService's billing and money rules as the service wires them, on a migrated database of the scratch
/// server, with MassTransit's in-memory harness: invoices follow the cells' booking messages, desk payments
/// settle one or several invoices, and the database keeps every sum right, also under concurrency.
/// </summary>
public sealed class PaymentServiceTests(ScratchPostgres postgres) : IAsyncLifetime
{
    private const long Clinic = (11 << 6) | 0, Doctor = 110, Customer = 1100;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IHost _host = null!;
    private string _connectionString = null!;
    private long _nextBooking = 1;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await postgres.CreateDatabaseAsync($"payments_{Guid.NewGuid():N}");
        var builder = Host.CreateApplicationBuilder();
        // The local provider as configured, never reached here: no payment page is opened in these tests.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Payments:Provider"] = "Local",
            ["Payments:SecretKey"] = "sk_component_test",
            ["Payments:WebhookSecret"] = "whsec_component_test",
            ["Payments:LocalApiBase"] = "http://127.0.0.1:9/local-pay",
            ["Payments:LocalBaseUrl"] = "http://127.0.0.1:9",
            ["Payments:ReturnUrl"] = "http://webapp.test",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDbContext<PaymentDbContext>(options => options.UseNpgsql(_connectionString, npgsql => npgsql.EnableRetryOnFailure()).UseSnakeCaseNamingConvention());
        builder.AddPaymentProvider();
        builder.Services.AddScoped<CheckoutCloser>();
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<BookingChangesConsumer>();
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(20));
        });
        _host = builder.Build();
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PaymentDbContext>().Database.MigrateAsync(Ct);
        }
        await _host.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    [Fact]
    public async Task A_priced_confirmed_booking_gets_one_invoice_a_free_or_pending_one_none_and_a_cancel_before_paying_voids_it()
    {
        var (priced, free, pending, cancelled) = (_nextBooking++, _nextBooking++, _nextBooking++, _nextBooking++);
        var confirmed = Change(priced, BookingStatus.Confirmed, 2, new Price(45.50m, "EUR"));
        await PublishAsync(confirmed, confirmed);
        await PublishAsync(confirmed);
        await PublishAsync(Change(free, BookingStatus.Confirmed, 2, price: null), Change(pending, BookingStatus.Pending, 1, new Price(10m, "EUR")));

        var invoice = Assert.Single(await InvoicesOfAsync(priced));
        Assert.Equal((45.50m, 0m, InvoiceStatuses.Open, "EUR"), (invoice.Total, invoice.Settled, invoice.Status, invoice.Currency));
        Assert.Equal(Customer, invoice.CustomerId);
        // The line names the appointment in the clinic's time, as the patient booked it.
        await using (var db = Db())
        {
            var line = await db.InvoiceLines.SingleAsync(l => l.BookingId == priced, Ct);
            var berlin = TimeZoneInfo.ConvertTime(confirmed.StartsAt, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
            Assert.Equal($"Appointment on {berlin:yyyy-MM-dd HH:mm} (Europe/Berlin), booking {priced}", line.Description);
        }
        Assert.Empty(await InvoicesOfAsync(free));
        Assert.Empty(await InvoicesOfAsync(pending));

        // Cancelled (revision 3) before anything was paid: void. Its confirmation arriving late (revision 2) bills nothing.
        await PublishAsync(Change(priced, BookingStatus.Cancelled, 3, new Price(45.50m, "EUR")));
        Assert.Equal(InvoiceStatuses.Void, Assert.Single(await InvoicesOfAsync(priced)).Status);
        await PublishAsync(Change(cancelled, BookingStatus.Cancelled, 3, new Price(20m, "EUR")));
        await PublishAsync(Change(cancelled, BookingStatus.Confirmed, 2, new Price(20m, "EUR")));
        Assert.Empty(await InvoicesOfAsync(cancelled));
    }

    [Fact]
    public async Task One_desk_payment_for_three_bookings_and_one_invoice_paid_by_two_payments_both_balance_to_the_cent()
    {
        var three = new List<long>();
        foreach (var amount in new[] { 33.33m, 33.33m, 33.34m })
        {
            three.Add(await BilledAsync(new Price(amount, "EUR")));
        }
        var paid = await PayAsync([.. three.Select(id => new DeskAllocation(id, null))]);
        Assert.Equal(100.00m, paid.Amount);
        Assert.Equal(paid.Amount, paid.Allocations.Sum(a => a.Amount));
        foreach (var id in three)
        {
            var invoice = await InvoiceAsync(id);
            Assert.Equal((InvoiceStatuses.Paid, invoice.Total), (invoice.Status, invoice.Settled));
        }

        // 45.50 in two parts: open after the first, paid after the second; a third finds nothing owed.
        var split = await BilledAsync(new Price(45.50m, "EUR"));
        await PayAsync([new DeskAllocation(split, 20.00m)]);
        Assert.Equal((InvoiceStatuses.Open, 20.00m), ((await InvoiceAsync(split)).Status, (await InvoiceAsync(split)).Settled));
        var second = await PayAsync([new DeskAllocation(split, null)]);
        Assert.Equal(25.50m, second.Amount);
        var settled = await InvoiceAsync(split);
        Assert.Equal((InvoiceStatuses.Paid, 45.50m, 0m), (settled.Status, settled.Settled, settled.Total - settled.Settled));
        var third = await Assert.ThrowsAsync<ProblemException>(() => PayAsync([new DeskAllocation(split, null)]));
        Assert.Equal(409, third.Status);

        // The doctor adds a charge: the paid invoice is open again for the difference.
        await using var db = Db();
        db.InvoiceLines.Add(new InvoiceLine { InvoiceId = split, Kind = InvoiceLineKinds.Extra, Description = "X-ray", Amount = 30m, AddedBy = "staff", CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(Ct);
        var grown = await InvoiceAsync(split);
        Assert.Equal((InvoiceStatuses.Open, 75.50m, 45.50m), (grown.Status, grown.Total, grown.Settled));
    }

    [Fact]
    public async Task A_cancellations_credit_settles_the_next_invoices_at_that_clinic_and_a_late_one_earns_none()
    {
        // The clinic credits cancellations made at least a day ahead.
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await CreditApi.ReplacePolicy(Clinic, new PaymentPolicyRequest(24), scope.ServiceProvider.GetRequiredService<PaymentDbContext>(), Ct);
        }
        var customer = Customer + 50;
        var (paidBooking, lateBooking) = (_nextBooking++, _nextBooking++);
        var paid = Change(paidBooking, BookingStatus.Confirmed, 2, new Price(45.50m, "EUR"), customer);
        var late = Change(lateBooking, BookingStatus.Confirmed, 2, new Price(12m, "EUR"), customer);
        await PublishAsync(paid, late);
        await PayAsync([new DeskAllocation(Assert.Single(await InvoicesOfAsync(paidBooking)).Id, null), new DeskAllocation(Assert.Single(await InvoicesOfAsync(lateBooking)).Id, null)]);

        // Cancelled three days ahead: its 45.50 becomes credit, once however often the message comes. Cancelled an
        // hour ahead: no credit.
        var cancelled = paid with { Status = BookingStatus.Cancelled, Revision = 3, ChangedAt = paid.StartsAt.AddDays(-3) };
        await PublishAsync(cancelled);
        await PublishAsync(cancelled with { Revision = 4 });
        await PublishAsync(late with { Status = BookingStatus.Cancelled, Revision = 3, ChangedAt = late.StartsAt.AddHours(-1) });
        Assert.Equal(45.50m, await BalanceAsync(customer));

        // The next invoice at that clinic is paid from it, and the one after in part; another clinic's is not.
        var next = await BilledAsync(new Price(30m, "EUR"), customer);
        Assert.Equal((InvoiceStatuses.Paid, 30m), ((await InvoiceAsync(next)).Status, (await InvoiceAsync(next)).Settled));
        var after = await BilledAsync(new Price(20m, "EUR"), customer);
        Assert.Equal((InvoiceStatuses.Open, 15.50m), ((await InvoiceAsync(after)).Status, (await InvoiceAsync(after)).Settled));
        Assert.Equal(0m, await BalanceAsync(customer));
        await using var db = Db();
        var entries = await db.CreditEntries.Where(e => e.CustomerId == customer).OrderBy(e => e.Id).Select(e => new { e.Kind, e.Amount }).ToListAsync(Ct);
        Assert.Equal([(CreditKinds.CreditNote, 45.50m), (CreditKinds.Applied, -30m), (CreditKinds.Applied, -15.50m)], entries.Select(e => (e.Kind, e.Amount)));
        Assert.Equal(2, await db.Payments.CountAsync(p => p.CustomerId == customer && p.Method == PaymentMethods.Credit, Ct));
        Assert.Single(await db.CreditNotes.Where(n => n.CustomerId == customer).ToListAsync(Ct));
    }

    [Fact]
    public async Task Fifty_concurrent_redemptions_of_a_coupon_with_one_use_left_give_exactly_one_discount()
    {
        var coupon = await CreateCouponAsync(new CouponRequest(Clinic, "LAST-ONE", 10, null, null, null, 2));
        // One of its two uses is taken; then fifty patients try the last one at once.
        await RedeemAsync(await BilledAsync(new Price(50m, "EUR"), Customer + 200), "last-one", Customer + 200);
        var invoices = new List<(long Invoice, long Customer)>();
        for (var i = 0; i < 50; i++)
        {
            invoices.Add((await BilledAsync(new Price(50m, "EUR"), Customer + 201 + i), Customer + 201 + i));
        }
        var attempts = await Task.WhenAll(invoices.Select(async x =>
        {
            try
            {
                await RedeemAsync(x.Invoice, "LAST-ONE", x.Customer);
                return null;
            }
            catch (ProblemException e)
            {
                return e;
            }
        }));
        Assert.Single(attempts, a => a is null);
        Assert.All(attempts.OfType<ProblemException>(), e => Assert.Equal((409, "Coupon LAST-ONE has been used up."), (e.Status, e.Message)));
        await using var db = Db();
        Assert.Equal(2, (await db.Coupons.SingleAsync(c => c.Id == coupon.Id, Ct)).TimesRedeemed);
        var discounted = invoices.Select(x => x.Invoice).ToList();
        Assert.Equal([5m], await db.Payments.Where(p => p.Method == PaymentMethods.Coupon && p.Allocations.Any(a => discounted.Contains(a.InvoiceId))).Select(p => p.Amount).ToListAsync(Ct));
        Assert.Equal(1, await db.CouponRedemptions.CountAsync(r => discounted.Contains(r.InvoiceId), Ct));
    }

    [Fact]
    public async Task A_coupon_takes_a_percentage_or_an_amount_off_at_its_clinic_until_it_expires_and_a_discount_is_never_credited()
    {
        await CreateCouponAsync(new CouponRequest(Clinic, "spring20", 20, null, null, DateTimeOffset.UtcNow.AddDays(30), null));
        await CreateCouponAsync(new CouponRequest(Clinic, "TEN-OFF", null, 10m, "EUR", null, null));
        await CreateCouponAsync(new CouponRequest(Clinic, "FIFTY-OFF", null, 50m, "EUR", null, null));
        await CreateCouponAsync(new CouponRequest(Clinic, "DOLLARS", null, 5m, "USD", null, null));
        var soon = await CreateCouponAsync(new CouponRequest(Clinic, "SOON-GONE", 50, null, null, DateTimeOffset.UtcNow.AddSeconds(2), null));
        var duplicate = await Assert.ThrowsAsync<ProblemException>(() => CreateCouponAsync(new CouponRequest(Clinic, "Spring20", 5, null, null, null, null)));
        Assert.Equal(409, duplicate.Status);

        // 20 % of 45.50 is 9.10; the invoice still owes 36.40; a second coupon on it is refused.
        var customer = Customer + 300;
        var booking = _nextBooking++;
        var confirmed = Change(booking, BookingStatus.Confirmed, 2, new Price(45.50m, "EUR"), customer);
        await PublishAsync(confirmed);
        var invoice = Assert.Single(await InvoicesOfAsync(booking)).Id;
        var discounted = await RedeemAsync(invoice, " Spring20 ", customer);
        Assert.Equal((45.50m, 9.10m, 36.40m), (discounted.Total, discounted.Paid, discounted.Outstanding));
        Assert.Equal(PaymentMethods.Coupon, Assert.Single(discounted.Payments).Method);
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => RedeemAsync(invoice, "TEN-OFF", customer))).Status);

        // An amount off is never more than what is owed: 50.00 off a 30.00 invoice pays it. Another currency's, an
        // unknown code, another customer's invoice, an expired coupon are refused.
        var small = await BilledAsync(new Price(30m, "EUR"), customer);
        Assert.Equal((InvoiceStatuses.Paid, 30m, 0m), ((await RedeemAsync(small, "FIFTY-OFF", customer)) is var paid ? (paid.Status, paid.Paid, paid.Outstanding) : default));
        var other = await BilledAsync(new Price(30m, "EUR"), customer);
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => RedeemAsync(other, "DOLLARS", customer))).Status);
        Assert.Equal(400, (await Assert.ThrowsAsync<ProblemException>(() => RedeemAsync(other, "NO-SUCH", customer))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ProblemException>(() => RedeemAsync(other, "TEN-OFF", customer + 1))).Status);
        while (DateTimeOffset.UtcNow <= soon.ExpiresAt)
        {
            await Task.Delay(100, Ct);
        }
        var expired = await Assert.ThrowsAsync<ProblemException>(() => RedeemAsync(other, "SOON-GONE", customer));
        Assert.Equal(409, expired.Status);
        Assert.StartsWith("Coupon SOON-GONE expired", expired.Message);

        // The rest paid at the desk, then cancelled well ahead: the 36.40 paid comes back as credit, not the discount.
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await CreditApi.ReplacePolicy(Clinic, new PaymentPolicyRequest(0), scope.ServiceProvider.GetRequiredService<PaymentDbContext>(), Ct);
        }
        await PayAsync([new DeskAllocation(invoice, null)]);
        await PublishAsync(confirmed with { Status = BookingStatus.Cancelled, Revision = 3, ChangedAt = confirmed.StartsAt.AddDays(-3) });
        Assert.Equal(36.40m, await BalanceAsync(customer));
    }

    [Fact]
    public async Task Desks_recording_the_same_invoice_at_once_are_refused_past_its_total()
    {
        var invoice = await BilledAsync(new Price(80m, "EUR"));
        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            try
            {
                await PayAsync([new DeskAllocation(invoice, 80m)]);
                return true;
            }
            catch (Exception e) when (e is ProblemException or DbUpdateException)
            {
                return false;
            }
        }));
        Assert.Equal(1, attempts.Count(ok => ok));
        var settled = await InvoiceAsync(invoice);
        Assert.Equal((InvoiceStatuses.Paid, 80m), (settled.Status, settled.Settled));
        await using var db = Db();
        Assert.Equal(80m, await db.Payments.Where(p => p.Allocations.Any(a => a.InvoiceId == invoice)).SumAsync(p => p.Amount, Ct));
    }

    [Fact]
    public async Task The_database_refuses_what_no_code_may_do_with_money()
    {
        var invoice = await BilledAsync(new Price(50m, "EUR"));
        var other = await BilledAsync(new Price(50m, "EUR"), customer: Customer + 1);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        var payment = await ScalarAsync(connection, $"""
            INSERT INTO payments (clinic_id, customer_id, currency, amount, method, recorded_by, created_at)
            VALUES ({Clinic}, {Customer}, 'EUR', 30, 'desk', 'test', now()) RETURNING id
            """);

        // More than the payment took; another customer's invoice; past the invoice's total.
        Assert.Equal(PaymentSchema.AllocationWithinPayment, await RefusedAsync(connection, $"INSERT INTO payment_allocations VALUES ({payment}, {invoice}, 31, now())"));
        Assert.Equal(PaymentSchema.AllocationSameParty, await RefusedAsync(connection, $"INSERT INTO payment_allocations VALUES ({payment}, {other}, 10, now())"));
        var big = await ScalarAsync(connection, $"""
            INSERT INTO payments (clinic_id, customer_id, currency, amount, method, recorded_by, created_at)
            VALUES ({Clinic}, {Customer}, 'EUR', 70, 'desk', 'test', now()) RETURNING id
            """);
        Assert.Equal(PaymentSchema.SettledWithinTotal, await RefusedAsync(connection, $"INSERT INTO payment_allocations VALUES ({big}, {invoice}, 60, now())"));

        // Lines, payments and allocations are only ever added; totals are the database's to keep.
        await ExecuteAsync(connection, $"INSERT INTO payment_allocations VALUES ({payment}, {invoice}, 30, now())");
        Assert.Equal(PaymentSchema.AppendOnly, await RefusedAsync(connection, $"UPDATE payment_allocations SET amount = 50 WHERE payment_id = {payment}"));
        Assert.Equal(PaymentSchema.AppendOnly, await RefusedAsync(connection, $"DELETE FROM invoice_lines WHERE invoice_id = {invoice}"));
        Assert.Equal(PaymentSchema.AppendOnly, await RefusedAsync(connection, $"UPDATE payments SET amount = 1000 WHERE id = {payment}"));
        Assert.Equal("ck_invoices_paid_when_settled", await RefusedAsync(connection, $"UPDATE invoices SET status = 'paid', paid_at = now() WHERE id = {invoice}"));
        Assert.Equal("ck_invoices_void", await RefusedAsync(connection, $"UPDATE invoices SET status = 'void', voided_at = now() WHERE id = {invoice}"));
    }

    private async Task<long> BilledAsync(Price price, long customer = Customer)
    {
        var booking = _nextBooking++;
        await PublishAsync(Change(booking, BookingStatus.Confirmed, 2, price, customer));
        return Assert.Single(await InvoicesOfAsync(booking)).Id;
    }

    private async Task<CouponResponse> CreateCouponAsync(CouponRequest request)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        Assert.True(new CouponRequestValidator().Validate(request).IsValid);
        return (await CouponsApi.CreateCoupon(request, Staff(), scope.ServiceProvider.GetRequiredService<PaymentDbContext>(), Ct)).Value!;
    }

    private async Task<InvoiceResponse> RedeemAsync(long invoice, string code, long customer)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var patient = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimNames.Subject, $"patient-{customer}"), new Claim(ClaimNames.Role, Roles.Customer), new Claim(ClaimNames.CustomerId, customer.ToString())], "test"));
        return (await CouponsApi.Redeem(invoice, new CouponRedemptionRequest(code), patient, scope.ServiceProvider.GetRequiredService<PaymentDbContext>(), Ct)).Value!;
    }

    private async Task<decimal> BalanceAsync(long customer)
    {
        await using var db = Db();
        return await db.CreditBalances.Where(b => b.CustomerId == customer && b.ClinicId == Clinic).Select(b => b.Balance).SingleOrDefaultAsync(Ct);
    }

    private async Task<PaymentResponse> PayAsync(DeskAllocation[] allocations)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentDbContext>();
        var result = await PaymentsApi.RecordDeskPayment(new DeskPaymentRequest(allocations), new IdempotencyKey(null), Staff(), db, Ct);
        return Assert.IsType<Created<PaymentResponse>>(result.Result).Value!;
    }

    private static ClaimsPrincipal Staff() => new(new ClaimsIdentity(
        [new Claim(ClaimNames.Subject, "desk"), new Claim(ClaimNames.Role, Roles.Staff), new Claim(ClaimNames.ClinicId, Clinic.ToString())], "test"));

    private PaymentDbContext Db() => _host.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<PaymentDbContext>();

    private async Task<Invoice> InvoiceAsync(long id)
    {
        await using var db = Db();
        return await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == id, Ct);
    }

    private async Task<List<Invoice>> InvoicesOfAsync(long booking)
    {
        await using var db = Db();
        return await db.Invoices.AsNoTracking()
            .Where(i => db.InvoiceLines.Any(l => l.InvoiceId == i.Id && l.BookingId == booking)).ToListAsync(Ct);
    }

    private static BookingStatusChanged Change(long booking, BookingStatus status, int revision, Price? price, long customer = Customer)
    {
        var start = DateTimeOffset.UtcNow.AddDays(3);
        return new BookingStatusChanged(booking, customer, Clinic, booking, Doctor,
            start, start.AddMinutes(30), status, revision, DateTimeOffset.UtcNow, null, "Europe/Berlin", Price: price);
    }

    private Task PublishAsync(params BookingStatusChanged[] changes) => _host.PublishChangesAsync(changes);

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<string?> RefusedAsync(NpgsqlConnection connection, string sql) =>
        (await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql))).ConstraintName;
}
