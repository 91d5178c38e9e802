using ClinicBooking.CustomerService.Patients;
using ClinicBooking.CustomerService.Bookings;
using ClinicBooking.CustomerService.Customers;
using ClinicBooking.CustomerService.Data;

namespace ClinicBooking.CustomerService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults<CustomerDbContext>();
        builder.AddDefaultAuthentication();
        builder.AddRedisConnection(); // access revocations: a deactivated customer's tokens stop working
        builder.Services.AddEndpointAccess();
        builder.Services.AddHttpContextAccessor(); // the audit records name the caller

        builder.AddNpgsqlDbContext<CustomerDbContext>(ResourceNames.CustomersDatabase, settings =>
            settings.ConnectionString = ConnectionSettings.ForServices(settings.ConnectionString!));
        builder.Services.AddHostedService<CustomerDatabaseMigrator>();
        // The unique email index decides alone, so two concurrent sign-ups cannot both win.
        builder.AddConstraintProblems(new Dictionary<string, string>
        {
            [CustomerDbContext.UniqueEmailIndex] = "Another customer already uses this email address.",
            [CustomerDbContext.UniqueIdempotencyKeyIndex] =
                $"Another request with this {IdempotencyKey.Header} is creating a customer at the same time; send it again to get that customer.",
        });
        builder.AddOutbox<CustomerOutboxMessage, CustomerOutbox>();
        builder.AddRetention(typeof(CustomerBookingsRetention));
        builder.Services.AddOptions<BookingCapsOptions>().BindConfiguration(BookingCapsOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        builder.AddSagaMessaging(
            bus =>
            {
                bus.AddConsumer<VerifyCustomersConsumer>();
                bus.AddConsumer<BookingStatusChangesConsumer>();
                bus.AddConsumer<AccountEmailConsumer>();
            },
            (context, rabbit) =>
            {
                rabbit.SagaEndpoint<VerifyCustomersConsumer>(context, $"{ResourceNames.CustomerService}-verify-customer");
                rabbit.SagaEndpoint<BookingStatusChangesConsumer>(context, $"{ResourceNames.CustomerService}-customer-bookings");
                rabbit.SagaEndpoint<AccountEmailConsumer>(context, $"{ResourceNames.CustomerService}-account-emails");
            });
    }

    /// <summary>Every endpoint, each request validated before its handler runs.</summary>
    public static WebApplication MapCustomerServiceApi(this WebApplication app)
    {
        var api = app.MapGroup("").WithRequestValidation();
        api.MapCustomersApi();
        api.MapCustomerBookingsApi();
        api.MapClinicPatientsApi();
        app.MapDeadLetters().AdministratorsAndServices();
        return app;
    }
}
