using ClinicBooking.NotificationService.Bookings;
using ClinicBooking.NotificationService.Clinics;
using ClinicBooking.NotificationService.Data;
using ClinicBooking.NotificationService.Dispatch;
using ClinicBooking.NotificationService.Email;
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
        builder.Services.AddHostedService<NotificationDatabaseMigrator>();

        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section)
            .Configure<IConfiguration>((email, configuration) =>
                email.Server ??= configuration.GetConnectionString(ResourceNames.MailServer) is { Length: > 0 } smtp ? new Uri(smtp) : null)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
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
            },
            (context, rabbit) =>
            {
                rabbit.SagaEndpoint<BookingStatusChangesConsumer>(context, $"{ResourceNames.NotificationService}-bookings");
                rabbit.SagaEndpoint<CustomerContactConsumer>(context, $"{ResourceNames.NotificationService}-recipients");
            });
    }

    public static WebApplication MapNotificationServiceApi(this WebApplication app)
    {
        app.MapNotificationOperations().AdministratorsAndServices();
        app.MapDeadLetters().AdministratorsAndServices();
        return app;
    }
}
