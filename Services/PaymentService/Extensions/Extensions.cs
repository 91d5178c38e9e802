using ClinicBooking.PaymentService.Checkouts;
using ClinicBooking.PaymentService.Coupons;
using ClinicBooking.PaymentService.Credit;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.LocalProvider;
using ClinicBooking.Messaging.Outbox;
using ClinicBooking.PaymentService.Outbox;
using ClinicBooking.PaymentService.Providers;
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
            [PaymentDbContext.UniqueCheckoutKey] = "A card payment with this Idempotency-Key was opened at the same time; send the request again to read it.",
            [PaymentSchema.CreditNotNegative] = "The patient's credit is not enough for this; read it again.",
            [PaymentSchema.CouponWithinLimit] = "The coupon has been used up.",
            [PaymentSchema.CreditNotesWithinPaid] = "The credit notes of the invoice would give back more than was paid on it.",
            [PaymentSchema.RefundsWithinPayment] = "The refunds would give back more than the card payment took.",
        });
        builder.AddPaymentProvider();
        builder.AddOutbox<PaymentOutboxMessage, PaymentOutbox>();
        builder.Services.AddScoped<CheckoutCloser>();
        builder.Services.AddHostedService<RefundSender>();

        builder.AddSagaMessaging(
            bus => bus.AddConsumer<BookingChangesConsumer>(),
            (context, rabbit) => rabbit.SagaEndpoint<BookingChangesConsumer>(context, $"{ResourceNames.PaymentService}-bookings"));
    }

    /// <summary>
    /// Card payments: Stripe's API through its client, at Stripe or at the local provider that runs inside this service
    /// (<c>Payments:Provider</c> = <c>Local</c>: its API, payment pages and webhook sender are mapped and started here).
    /// </summary>
    internal static void AddPaymentProvider(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PaymentOptions>().BindConfiguration(PaymentOptions.Section).ValidateDataAnnotations()
            .Validate(payments => payments.IsComplete, "Payments:Provider Local needs LocalApiBase (this service's own address) and LocalBaseUrl (the gateway's public address).")
            .ValidateOnStart();
        builder.Services.AddHttpClient(nameof(StripePaymentProvider));
        builder.Services.AddSingleton<IPaymentProvider, StripePaymentProvider>();
        if (builder.Configuration[$"{PaymentOptions.Section}:Provider"] == "Local")
        {
            builder.Services.AddSingleton<LocalWebhookSwitches>();
            builder.Services.AddHttpClient(nameof(LocalWebhookSender));
            builder.Services.AddHostedService<LocalWebhookSender>();
        }
    }

    /// <summary>The local provider's API (when it runs here), ahead of the token check: see <see cref="LocalProviderApi.UseLocalPaymentProviderApi"/>.</summary>
    public static WebApplication UseLocalPaymentProvider(this WebApplication app)
    {
        if (app.Services.GetService<LocalWebhookSwitches>() is not null)
        {
            app.UseLocalPaymentProviderApi();
        }
        return app;
    }

    public static WebApplication MapPaymentServiceApi(this WebApplication app)
    {
        var api = app.MapGroup("").WithRequestValidation();
        api.MapInvoicesApi();
        api.MapPaymentsApi();
        api.MapCheckoutsApi();
        api.MapCreditApi();
        api.MapCouponsApi();
        app.MapProviderWebhooks();
        if (app.Services.GetService<LocalWebhookSwitches>() is not null)
        {
            app.MapLocalPaymentPages();
            app.MapLocalPaymentOperations();
        }
        app.MapDeadLetters().AdministratorsAndServices();
        return app;
    }
}
