using ClinicBooking.NotificationService.Accounts;
using ClinicBooking.NotificationService.Bookings;
using ClinicBooking.NotificationService.Clinics;
using ClinicBooking.NotificationService.Data;
using ClinicBooking.NotificationService.Dispatch;
using ClinicBooking.NotificationService.Email;
using ClinicBooking.NotificationService.Preferences;
using ClinicBooking.NotificationService.Sms;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.NotificationService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults<NotificationDbContext>();
        builder.AddDefaultAuthentication();
        builder.AddRedisConnection(); // access revocations, as every service checks them
        builder.Services.AddEndpointAccess();

        builder.AddNpgsqlDbContext<NotificationDbContext>(ResourceNames.NotificationsDatabase,
            settings => settings.ConnectionString = ConnectionSettings.ForServices(settings.ConnectionString!),
            options => options.UseSnakeCaseNamingConvention());
        builder.Services.AddDatabaseMigrator<NotificationDbContext>(ResourceNames.NotificationsDatabase);

        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section)
            .Configure<IConfiguration>((email, configuration) =>
                email.Server ??= configuration.GetConnectionString(ResourceNames.MailServer) is { Length: > 0 } smtp ? new Uri(smtp) : null)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        builder.AddSms();
        builder.Services.AddOptions<NotificationLinks>().BindConfiguration(NotificationLinks.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ReminderOptions>().BindConfiguration(ReminderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<NotificationDispatcher>();
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient<ClinicDirectory>(http => http.BaseAddress = new Uri(ClinicDirectory.BaseAddress));
        builder.Services.AddHealthChecks().AddCheck<NotificationBacklogHealthCheck>("notifications");

        builder.AddSagaMessaging(
            bus =>
            {
                bus.AddConsumer<BookingStatusChangesConsumer>();
                bus.AddConsumer<CustomerContactConsumer>();
                bus.AddConsumer<AccountMailConsumer>();
            },
            (context, rabbit) =>
            {
                rabbit.SagaEndpoint<BookingStatusChangesConsumer>(context, $"{ResourceNames.NotificationService}-bookings");
                rabbit.SagaEndpoint<CustomerContactConsumer>(context, $"{ResourceNames.NotificationService}-recipients");
                rabbit.SagaEndpoint<AccountMailConsumer>(context, $"{ResourceNames.NotificationService}-account-mails");
            });
    }

    /// <summary>Text messages through the configured provider: Twilio, or the local fake that shows what it got.</summary>
    private static void AddSms(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateDataAnnotations()
            .Validate(sms => sms.IsComplete, "Sms:Twilio needs AccountSid, AuthToken and From.").ValidateOnStart();
        if (builder.Configuration[$"{SmsOptions.Section}:Provider"] == "Fake")
        {
            builder.Services.AddSingleton<FakeSmsSender>();
            builder.Services.AddSingleton<ISmsSender>(services => services.GetRequiredService<FakeSmsSender>());
        }
        else
        {
            builder.Services.AddHttpClient(TwilioSmsSender.HttpClientName);
            builder.Services.AddSingleton<ISmsSender, TwilioSmsSender>();
        }
    }

    public static WebApplication MapNotificationServiceApi(this WebApplication app)
    {
        var api = app.MapGroup("").WithRequestValidation();
        api.MapPreferencesApi();
        api.MapClinicSettingsApi();
        if (app.Services.GetService<FakeSmsSender>() is not null)
        {
            app.MapFakeSms();
        }
        app.MapNotificationOperations().AdministratorsAndServices();
        app.MapDeadLetters().AdministratorsAndServices();
        return app;
    }
}
