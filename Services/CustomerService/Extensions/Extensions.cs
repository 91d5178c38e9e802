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
        builder.Services.AddHostedService<CustomerEventsPublisher>();
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<CustomerBookingsRetention>();
        builder.Services.AddOptions<BookingCapsOptions>().BindConfiguration(BookingCapsOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        builder.AddSagaMessaging(
            bus =>
            {
                bus.AddConsumer<VerifyCustomersConsumer>();
                bus.AddConsumer<BookingStatusChangesConsumer>();
            },
            (context, rabbit) =>
            {
                rabbit.SagaEndpoint<VerifyCustomersConsumer>(context, $"{ResourceNames.CustomerService}-verify-customer");
                rabbit.SagaEndpoint<BookingStatusChangesConsumer>(context, $"{ResourceNames.CustomerService}-customer-bookings");
            });
    }

    /// <summary>Every endpoint, each request validated before its handler runs.</summary>
    public static WebApplication MapCustomerServiceApi(this WebApplication app)
    {
        var api = app.MapGroup("").WithRequestValidation();
        api.MapCustomersApi();
        api.MapCustomerBookingsApi();
        api.MapClinicPatientsApi();
        app.MapDeadLetters();
        return app;
    }
}
