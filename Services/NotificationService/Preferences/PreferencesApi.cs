using ClinicBooking.Contracts.Notifications;
using ClinicBooking.NotificationService.Data;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.NotificationService.Preferences;

/// <summary>
/// A customer's notification preferences, and the one-click link in reminder mails that stops them (RFC 8058).
/// Each is read when a notification is about to go out, so a change applies to what is queued already.
/// </summary>
public static class PreferencesApi
{
    public static IEndpointRouteBuilder MapPreferencesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/notifications").WithTags("Notifications");

        var preferences = api.MapGroup("/preferences/{customerId:long}").CustomerSelf("customerId")
            .ProducesProblem(StatusCodes.Status404NotFound);
        preferences.MapGet("/", GetPreferences).WithName("GetNotificationPreferences");
        preferences.MapPut("/", ReplacePreferences).WithName("ReplaceNotificationPreferences");

        // The List-Unsubscribe-Post target: a mail client posts "List-Unsubscribe=One-Click" without signing in.
        api.MapPost("/unsubscribe/{token}", StopReminderMails).WithName("StopReminderMails").Public()
            .DisableAntiforgery();
        return app;
    }

    public static async Task<Ok<NotificationPreferences>> GetPreferences(long customerId, NotificationDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Preferences.AsNoTracking().SingleOrDefaultAsync(p => p.CustomerId == customerId, ct)
            ?? Preference.Default(customerId)).ToContract());

    public static async Task<Ok<NotificationPreferences>> ReplacePreferences(
        long customerId, NotificationPreferencesRequest request, NotificationDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var preference = await db.Preferences.SingleOrDefaultAsync(p => p.CustomerId == customerId, ct);
        if (preference is null)
        {
            preference = Preference.Default(customerId);
            db.Preferences.Add(preference);
        }
        preference.Set(new NotificationPreferences(request.EmailConfirmations!.Value, request.EmailCancellations!.Value, request.EmailReminders!.Value,
            request.SmsConfirmations!.Value, request.SmsCancellations!.Value, request.SmsReminders!.Value, null));
        preference.ChangedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(preference.ToContract());
    }

    /// <summary>
    /// Stops reminder mails for whoever holds the link's token. The answer is the same whether or not the token
    /// names anyone, so the link cannot be used to find out which tokens exist.
    /// </summary>
    public static async Task<NoContent> StopReminderMails(string token, NotificationDbContext db, TimeProvider clock, CancellationToken ct)
    {
        await StopReminderMailsAsync(db, token, clock.GetUtcNow(), ct);
        return TypedResults.NoContent();
    }

    /// <summary>Turns reminder mails off for the preference the token belongs to; null when it belongs to none.</summary>
    internal static async Task<Preference?> StopReminderMailsAsync(NotificationDbContext db, string token, DateTimeOffset now, CancellationToken ct)
    {
        if (token.Length > 64 || await db.Preferences.SingleOrDefaultAsync(p => p.UnsubscribeToken == token, ct) is not { } preference)
        {
            return null;
        }
        preference.EmailReminders = false;
        preference.ChangedAt = now;
        await db.SaveChangesAsync(ct);
        return preference;
    }

    /// <summary>
    /// The customer's token for the one-click link, made (with the default preferences) the first time a mail
    /// needs it. Two dispatchers making it at once both end with the one that was stored.
    /// </summary>
    internal static async Task<string> UnsubscribeTokenAsync(NotificationDbContext db, long customerId, CancellationToken ct)
    {
        var fresh = Preference.Default(customerId);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO preferences (customer_id, email_confirmations, email_cancellations, email_reminders,
                                     sms_confirmations, sms_cancellations, sms_reminders, unsubscribe_token)
            VALUES ({customerId}, {fresh.EmailConfirmations}, {fresh.EmailCancellations}, {fresh.EmailReminders},
                    {fresh.SmsConfirmations}, {fresh.SmsCancellations}, {fresh.SmsReminders}, {fresh.UnsubscribeToken})
            ON CONFLICT (customer_id) DO NOTHING
            """, ct);
        return await db.Preferences.Where(p => p.CustomerId == customerId).Select(p => p.UnsubscribeToken).SingleAsync(ct);
    }
}

public sealed class NotificationPreferencesRequestValidator : RequestValidator<NotificationPreferencesRequest>
{
    public NotificationPreferencesRequestValidator()
    {
        // A replacement says every choice: one left out would otherwise be turned off without being asked.
        RuleFor(r => r.EmailConfirmations).NotNull().WithMessage("emailConfirmations is required (true or false).");
        RuleFor(r => r.EmailCancellations).NotNull().WithMessage("emailCancellations is required (true or false).");
        RuleFor(r => r.EmailReminders).NotNull().WithMessage("emailReminders is required (true or false).");
        RuleFor(r => r.SmsConfirmations).NotNull().WithMessage("smsConfirmations is required (true or false).");
        RuleFor(r => r.SmsCancellations).NotNull().WithMessage("smsCancellations is required (true or false).");
        RuleFor(r => r.SmsReminders).NotNull().WithMessage("smsReminders is required (true or false).");
    }
}
