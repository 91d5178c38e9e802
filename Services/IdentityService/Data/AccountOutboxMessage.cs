namespace ClinicBooking.IdentityService.Data;

/// <summary>
/// A message about an account in IdentityService's outbox (<see cref="OutboxMessage"/>): written in the same
/// transaction as the change that needs it, so a crash loses none, and built when sent from the account as it is
/// then (<c>Accounts/AccountOutbox.cs</c>): a mail's link token is made at that moment, so it expires counted from
/// the sending, and no token is ever stored here.
/// </summary>
public sealed class AccountOutboxMessage : OutboxMessage
{
    public AccountMessageKind Kind { get; set; }

    public required string AccountId { get; set; }

    /// <summary>
    /// The address the message is about when it is not the account's own: the new address of
    /// <see cref="AccountMessageKind.ConfirmEmailChange"/>, the old one of <see cref="AccountMessageKind.EmailChanged"/>.
    /// </summary>
    public string? Address { get; set; }
}

/// <summary>The messages IdentityService's outbox holds; stored by name.</summary>
public enum AccountMessageKind
{
    /// <summary>A mail with the link that verifies the account's address (Messages.AccountMailRequested).</summary>
    VerifyEmail,

    /// <summary>A mail with a single-use link that sets a new password.</summary>
    ResetPassword,

    /// <summary>A mail to <see cref="AccountOutboxMessage.Address"/> with the link that makes it the account's address.</summary>
    ConfirmEmailChange,

    /// <summary>A mail to the old address (<see cref="AccountOutboxMessage.Address"/>): the account's address was changed.</summary>
    EmailChanged,

    /// <summary>To CustomerService: the customer's confirmed address (Messages.AccountEmailChanged).</summary>
    CustomerEmailChanged,

    /// <summary>A mail to the account's address: someone signed up with it again (sign in, or set a new password).</summary>
    AccountExists,
}
