namespace ClinicBooking.NotificationService.Data;

/// <summary>
/// What an account mail says (IdentityService's <c>AccountMailRequested</c>), beside its <see cref="Notification"/>,
/// which the dispatcher sends like any other. Queued once per message (<see cref="MessageId"/> is unique), so a
/// message that arrives twice sends one mail.
/// </summary>
public sealed class AccountMail
{
    public long NotificationId { get; set; }

    /// <summary>The MassTransit MessageId of the request: the same when the broker delivers it again.</summary>
    public Guid MessageId { get; set; }

    public required string AccountId { get; set; }

    public required string ToAddress { get; set; }

    public required string ToName { get; set; }

    /// <summary>The token of the mail's link: kept only until the mail is sent (or given up), then erased.</summary>
    public string? Token { get; set; }

    /// <summary>The new address of an email change.</summary>
    public string? NewEmail { get; set; }
}
