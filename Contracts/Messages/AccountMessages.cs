namespace ClinicBooking.Messages;

// IdentityService's messages about accounts, sent through its outbox. MassTransit names a message by namespace
// and type, so a rename is a breaking change on the wire.

/// <summary>Which account mail to send; the numbers travel in messages, so they never change.</summary>
public enum AccountMailKind
{
    /// <summary>After sign-up (or when asked again): the link that proves the address is the account owner's.</summary>
    VerifyEmail = 0,

    /// <summary>"Forgot password": a single-use link that sets a new password, valid for a short time.</summary>
    ResetPassword = 1,

    /// <summary>To the new address of an email change: the link that makes it the account's address.</summary>
    ConfirmEmailChange = 2,

    /// <summary>To the old address once an email change is confirmed: it was changed, and what to do if it was not you.</summary>
    EmailChanged = 3,

    /// <summary>Someone signed up with an address that has an account: its owner is told (sign in, or set a new password).</summary>
    AccountExists = 4,
}

/// <summary>
/// IdentityService → NotificationService: send <see cref="Kind"/> to <see cref="To"/>. <see cref="Token"/> is the
/// account's single-purpose token for the link (none for <see cref="AccountMailKind.EmailChanged"/>); NotificationService
/// builds the link to the web app's page with it, keeps it only until the mail is sent, and never logs it. For an email
/// change, <see cref="NewEmail"/> is the address being confirmed.
/// </summary>
public sealed record AccountMailRequested(
    string AccountId, AccountMailKind Kind, string To, string Name, string? Token, string? NewEmail, DateTimeOffset RequestedAt);

/// <summary>
/// IdentityService → CustomerService: the customer's account confirmed a new email address, which is now where
/// the customer's mail goes. Stamped with the time of the change (the database's clock); the newest wins.
/// </summary>
public sealed record AccountEmailChanged(long CustomerId, string Email, DateTimeOffset ChangedAt);
