using System.ComponentModel.DataAnnotations;

namespace ClinicBooking.NotificationService.Dispatch;

/// <summary>
/// Where the links in messages point (section <c>Notifications:Links</c>): the web app people use, and the
/// gateway's public address for the one-click stop of reminder mails. The AppHost sets both.
/// </summary>
public sealed class NotificationLinks
{
    public const string Section = "Notifications:Links";

    [Required(ErrorMessage = "Notifications:Links:WebApp must name the web app's public address.")]
    public Uri? WebApp { get; set; }

    [Required(ErrorMessage = "Notifications:Links:Gateway must name the gateway's public address.")]
    public Uri? Gateway { get; set; }

    public Uri MyBookings => new(WebApp!, "/bookings");

    /// <summary>The page where a customer chooses what they are sent.</summary>
    public Uri Preferences => new(WebApp!, "/notifications");

    public Uri Doctor(long doctorId) => new(WebApp!, $"/doctors/{doctorId}");

    /// <summary>An online appointment's page: the patient signs in there and joins the video call while it is open.</summary>
    public Uri Consultation(long bookingId) => new(WebApp!, $"/consultations/{bookingId}");

    /// <summary>The search for the free times of a specialization at one clinic: another doctor like the one who is away.</summary>
    public Uri Specialists(long clinicId, string specialization) =>
        new(WebApp!, $"/?specialization={Uri.EscapeDataString(specialization)}&clinicId={clinicId}");

    public Uri SignIn => new(WebApp!, "/account/signin");

    public Uri ForgotPassword => new(WebApp!, "/account/forgot-password");

    // The account mails' links: the web app's pages, which hand the token to IdentityService when the person confirms.
    public Uri VerifyEmail(string accountId, string token) =>
        new(WebApp!, $"/account/verify-email?account={Uri.EscapeDataString(accountId)}&token={Uri.EscapeDataString(token)}");

    public Uri ResetPassword(string accountId, string token) =>
        new(WebApp!, $"/account/reset-password?account={Uri.EscapeDataString(accountId)}&token={Uri.EscapeDataString(token)}");

    public Uri ConfirmEmailChange(string accountId, string email, string token) =>
        new(WebApp!, $"/account/confirm-email?account={Uri.EscapeDataString(accountId)}&email={Uri.EscapeDataString(email)}&token={Uri.EscapeDataString(token)}");

    /// <summary>The one-click stop (RFC 8058), on the gateway: a mail client posts to it without a browser.</summary>
    public Uri StopReminderMails(string token) => new(Gateway!, $"/notifications/unsubscribe/{token}");
}
