using ClinicBooking.NotificationService.Data;
using ClinicBooking.NotificationService.Email;

namespace ClinicBooking.NotificationService.Dispatch;

/// <summary>
/// The account mails: each a link to the web app's page for it (which asks IdentityService), with how long it works
/// and what to do when the person did not ask for it. No one-click unsubscribe: a person asked for these, or they
/// guard the account.
/// </summary>
public static class AccountMailText
{
    public static EmailMessage For(Notification n, AccountMail m, NotificationLinks links)
    {
        var (subject, lines) = n.Kind switch
        {
            NotificationKind.VerifyEmail => ("Verify your email address",
                (string[])[
                    $"Hello {m.ToName},",
                    "",
                    "welcome to ClinicBooking. Please confirm that this address is yours:",
                    links.VerifyEmail(m.AccountId, Token(m)).AbsoluteUri,
                    "",
                    "The link works for 2 days. Once you confirm, you can sign in and book; mail about your bookings comes here.",
                    "If you did not sign up, ignore this mail: the account stays unused.",
                ]),
            NotificationKind.ResetPassword => ("Set a new password",
                [
                    $"Hello {m.ToName},",
                    "",
                    "someone, we hope you, asked to set a new password for your ClinicBooking account. Choose one here:",
                    links.ResetPassword(m.AccountId, Token(m)).AbsoluteUri,
                    "",
                    "The link works once, within an hour. Setting a new password signs you out everywhere.",
                    "If you did not ask, ignore this mail: your password stays as it is.",
                ]),
            NotificationKind.ConfirmEmailChange => ("Confirm your new email address",
                [
                    $"Hello {m.ToName},",
                    "",
                    "you asked to use this address for your ClinicBooking account. Confirm it here:",
                    links.ConfirmEmailChange(m.AccountId, m.NewEmail ?? m.ToAddress, Token(m)).AbsoluteUri,
                    "",
                    "The link works for 2 days. Until you confirm, your account keeps its old address.",
                    "If you did not ask, ignore this mail.",
                ]),
            NotificationKind.EmailChanged => ("Your email address was changed",
                [
                    $"Hello {m.ToName},",
                    "",
                    $"your ClinicBooking account now uses {m.NewEmail}; this address gets no more mail from it.",
                    "",
                    "If you did not change it, your account may be in someone else's hands: tell your clinic or",
                    "ClinicBooking's administrators, who can lock it.",
                ]),
            NotificationKind.AccountExists => ("You already have a ClinicBooking account",
                [
                    $"Hello {m.ToName},",
                    "",
                    "someone, maybe you, tried to create a ClinicBooking account with this address. It has one already,",
                    "so nothing was created. Sign in here:",
                    links.SignIn.AbsoluteUri,
                    "",
                    "Forgot your password? Choose a new one here:",
                    links.ForgotPassword.AbsoluteUri,
                    "",
                    "If it was not you, ignore this mail: your account is as it was.",
                ]),
            _ => throw new InvalidOperationException($"{n.Kind} is not an account mail."),
        };
        return AppointmentMail.Mail(n.Id, m.ToAddress, m.ToName, subject, lines, calendar: null);
    }

    private static string Token(AccountMail m) =>
        m.Token ?? throw new InvalidOperationException("The mail's link token is gone (it was sent or given up already).");
}
