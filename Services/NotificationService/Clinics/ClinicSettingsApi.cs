using ClinicBooking.Contracts.Notifications;
using ClinicBooking.NotificationService.Data;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.NotificationService.Clinics;

/// <summary>
/// A clinic's notification settings, its staff's to set: when its patients are reminded (applies to bookings
/// confirmed from then on) and the name its mails come from (applies to every mail from then on).
/// </summary>
public static class ClinicSettingsApi
{
    public static IEndpointRouteBuilder MapClinicSettingsApi(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/notifications/clinics/{clinicId:long}/settings").WithTags("Notifications")
            .ClinicStaff("clinicId", scoped: false).ProducesProblem(StatusCodes.Status404NotFound);
        settings.MapGet("/", GetSettings).WithName("GetClinicNotificationSettings");
        settings.MapPut("/", ReplaceSettings).WithName("ReplaceClinicNotificationSettings");
        return app;
    }

    public static async Task<Ok<ClinicNotificationSettings>> GetSettings(
        long clinicId, NotificationDbContext db, Microsoft.Extensions.Options.IOptions<Bookings.ReminderOptions> reminders, CancellationToken ct)
    {
        var setting = await db.ClinicSettings.AsNoTracking().SingleOrDefaultAsync(c => c.ClinicId == clinicId, ct);
        return TypedResults.Ok(setting is null
            ? new ClinicNotificationSettings([.. reminders.Value.LeadsOrDefault.Select(l => (int)l.TotalHours)], null, null)
            : ToContract(setting));
    }

    public static async Task<Ok<ClinicNotificationSettings>> ReplaceSettings(
        long clinicId, ClinicNotificationSettingsRequest request, NotificationDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var setting = await db.ClinicSettings.SingleOrDefaultAsync(c => c.ClinicId == clinicId, ct);
        if (setting is null)
        {
            setting = new ClinicSetting { ClinicId = clinicId };
            db.ClinicSettings.Add(setting);
        }
        setting.ReminderLeadHours = [.. request.ReminderLeadHours!.OrderDescending()];
        setting.SenderName = request.SenderName?.Trim() is { Length: > 0 } name ? name : null;
        setting.ChangedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToContract(setting));
    }

    private static ClinicNotificationSettings ToContract(ClinicSetting s) => new(s.ReminderLeadHours, s.SenderName, s.ChangedAt);
}

public sealed class ClinicNotificationSettingsRequestValidator : RequestValidator<ClinicNotificationSettingsRequest>
{
    public ClinicNotificationSettingsRequestValidator()
    {
        RuleFor(r => r.ReminderLeadHours).NotNull().WithMessage("reminderLeadHours is required: hours before each appointment, e.g. [24, 2], or [] for no reminders.");
        RuleFor(r => r.ReminderLeadHours).Must(h => h!.Count <= ClinicSetting.MaxReminders)
            .When(r => r.ReminderLeadHours is not null).WithMessage($"At most {ClinicSetting.MaxReminders} reminders.");
        RuleFor(r => r.ReminderLeadHours).Must(h => h!.All(x => x is >= 1 and <= ClinicSetting.MaxLeadHours) && h!.Distinct().Count() == h!.Count)
            .When(r => r.ReminderLeadHours is not null)
            .WithMessage($"Each reminder is 1 to {ClinicSetting.MaxLeadHours} hours before the appointment, each a different time.");
        RuleFor(r => r.SenderName).MaximumLength(ClinicSetting.SenderNameMaxLength)
            .Must(n => n is null || !n.Any(c => char.IsControl(c) || c is '<' or '>' or '"' or '@' or ',' or ';'))
            .WithMessage("senderName is a plain name: no line breaks or < > \" @ , ;");
    }
}
