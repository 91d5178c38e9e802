using ClinicBooking.ConsultationService.Consultations;
using ClinicBooking.ConsultationService.Data;
using ClinicBooking.ConsultationService.Meetings;
using ClinicBooking.ConsultationService.Video;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ConsultationService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults<ConsultationDbContext>();
        builder.AddDefaultAuthentication();
        builder.AddRedisConnection(); // access revocations, as every service checks them
        builder.Services.AddEndpointAccess();

        builder.AddNpgsqlDbContext<ConsultationDbContext>(ResourceNames.ConsultationsDatabase,
            settings => settings.ConnectionString = ConnectionSettings.ForServices(settings.ConnectionString!),
            options => options.UseSnakeCaseNamingConvention());
        builder.Services.AddDatabaseMigrator<ConsultationDbContext>(ResourceNames.ConsultationsDatabase);

        builder.AddVideoProvider();
        builder.Services.AddOptions<MeetingOptions>().BindConfiguration(MeetingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<MeetingScheduler>();
        builder.Services.AddHealthChecks().AddCheck<MeetingBacklogHealthCheck>("meetings");

        builder.AddSagaMessaging(
            bus => bus.AddConsumer<BookingChangesConsumer>(),
            (context, rabbit) => rabbit.SagaEndpoint<BookingChangesConsumer>(context, $"{ResourceNames.ConsultationService}-bookings"));
    }

    /// <summary>The video service: the local provider that runs with the system, or Jitsi Meet.</summary>
    private static void AddVideoProvider(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<VideoOptions>().BindConfiguration(VideoOptions.Section).ValidateDataAnnotations()
            .Validate(video => video.IsComplete, "Video:Local needs LocalBaseUrl (the gateway's public address); Video:Jitsi needs Domain.")
            .ValidateOnStart();
        builder.Services.AddSingleton<LinkSigner>();
        if (builder.Configuration[$"{VideoOptions.Section}:Provider"] == "Local")
        {
            builder.Services.AddSingleton<LocalVideoProvider>();
            builder.Services.AddSingleton<IVideoProvider>(services => services.GetRequiredService<LocalVideoProvider>());
        }
        else
        {
            builder.Services.AddSingleton<IVideoProvider, JitsiVideoProvider>();
        }
    }

    public static WebApplication MapConsultationServiceApi(this WebApplication app)
    {
        var api = app.MapGroup("").WithRequestValidation();
        api.MapConsultationsApi();
        if (app.Services.GetService<LocalVideoProvider>() is not null)
        {
            app.MapLocalVideo();
        }
        app.MapConsultationOperations().AdministratorsAndServices();
        app.MapDeadLetters().AdministratorsAndServices();
        return app;
    }
}
