using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Invoices;
using ClinicBooking.PaymentService.Payments;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults<PaymentDbContext>();
        builder.AddDefaultAuthentication();
        builder.AddRedisConnection(); // access revocations, as every service checks them
        builder.Services.AddEndpointAccess();

        builder.AddNpgsqlDbContext<PaymentDbContext>(ResourceNames.PaymentsDatabase,
            settings => settings.ConnectionString = ConnectionSettings.ForServices(settings.ConnectionString!),
            options => options.UseSnakeCaseNamingConvention());
        builder.Services.AddDatabaseMigrator<PaymentDbContext>(ResourceNames.PaymentsDatabase);
        builder.AddConstraintProblems(new Dictionary<string, string>
        {
            [PaymentSchema.SettledWithinTotal] = "The payment would pay more than the invoice still owes; read the invoice again.",
            [PaymentSchema.AllocationWithinPayment] = "The payment has no more money to allocate.",
            [PaymentSchema.AllocationSameParty] = "A payment pays invoices of its own clinic, customer and currency, and never a void one.",
            [PaymentSchema.LineOnVoidInvoice] = "The invoice is void: nothing can be added to it.",
            [PaymentDbContext.UniquePaymentKey] = "A payment with this Idempotency-Key was recorded at the same time; send the request again to read it.",
        });

        builder.AddSagaMessaging(
            bus => bus.AddConsumer<BookingChangesConsumer>(),
            (context, rabbit) => rabbit.SagaEndpoint<BookingChangesConsumer>(context, $"{ResourceNames.PaymentService}-bookings"));
    }

    public static WebApplication MapPaymentServiceApi(this WebApplication app)
    {
        var api = app.MapGroup("").WithRequestValidation();
        api.MapInvoicesApi();
        api.MapPaymentsApi();
        app.MapDeadLetters().AdministratorsAndServices();
        return app;
    }
}
