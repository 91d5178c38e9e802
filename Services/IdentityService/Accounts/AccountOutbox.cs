using ClinicBooking.IdentityService.Data;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>
/// IdentityService's outbox for the messaging building block: the account mails NotificationService sends, and a
/// customer's confirmed address for CustomerService. Nothing waits for them, so the re-driver sends them all with no
/// delay (<c>Outbox:RedeliveryDelay</c> 0, every 250 ms), as CustomerService's. Each message is built as the account
/// is when it goes: a mail's link token is made then (so it expires counted from the sending, and none is stored),
/// a verification of an address already verified is not sent, and an account removed meanwhile parks its rows.
/// </summary>
public sealed class AccountOutbox(DbContextOptions<AccountsDbContext> options, IServiceScopeFactory scopes, IBus bus, ILogger<AccountOutbox> logger)
    : IOutboxStore<AccountOutboxMessage>
{
    public IReadOnlyCollection<int> Databases { get; } = [0];

    public DbContext CreateContext(int database) => new AccountsDbContext(options);

    public async Task<OutboxResult> RedriveAsync(DbContext context, int database, IReadOnlyList<AccountOutboxMessage> rows, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
        var parked = new Dictionary<long, string>();
        var messages = new List<(AccountOutboxMessage Row, object Message)>();
        foreach (var row in rows)
        {
            if (await accounts.FindByIdAsync(row.AccountId) is not { } account)
            {
                parked[row.Id] = "The account no longer exists.";
                continue;
            }
            if (await MessageOfAsync(accounts, account, row) is { } message)
            {
                messages.Add((row, message));
            }
        }
        var sent = await OutboxPublishing.TryAsync(messages.Count, "account messages", async token =>
        {
            foreach (var (row, message) in messages)
            {
                await (message switch
                {
                    AccountMailRequested mail => bus.Publish(mail, publish => publish.MessageId = row.MessageId, token),
                    AccountEmailChanged changed => bus.Publish(changed, publish => publish.MessageId = row.MessageId, token),
                    _ => throw new InvalidOperationException($"No way to publish {message.GetType().Name}."),
                });
            }
        }, logger, ct);
        return sent ? new OutboxResult([.. rows.Where(r => !parked.ContainsKey(r.Id)).Select(r => r.Id)], parked) : new OutboxResult([], parked);
    }

    /// <summary>The message a row sends for the account as it is now; null when there is nothing to send any more.</summary>
    private static async Task<object?> MessageOfAsync(UserManager<Account> accounts, Account account, AccountOutboxMessage row)
    {
        var email = account.Email!;
        return row.Kind switch
        {
            AccountMessageKind.VerifyEmail when account.EmailConfirmed => null,
            AccountMessageKind.VerifyEmail => Mail(AccountMailKind.VerifyEmail, email, await accounts.GenerateEmailConfirmationTokenAsync(account), null),
            AccountMessageKind.ResetPassword => Mail(AccountMailKind.ResetPassword, email, await accounts.GeneratePasswordResetTokenAsync(account), null),
            // The account moved to another address meanwhile: this request is spent.
            AccountMessageKind.ConfirmEmailChange when string.Equals(row.Address, email, StringComparison.OrdinalIgnoreCase) => null,
            AccountMessageKind.ConfirmEmailChange => Mail(AccountMailKind.ConfirmEmailChange, row.Address!,
                await accounts.GenerateChangeEmailTokenAsync(account, row.Address!), row.Address),
            AccountMessageKind.EmailChanged => Mail(AccountMailKind.EmailChanged, row.Address!, null, email),
            AccountMessageKind.AccountExists => Mail(AccountMailKind.AccountExists, email, null, null),
            AccountMessageKind.CustomerEmailChanged when account.CustomerId is { } customerId => new AccountEmailChanged(customerId, email, row.CreatedAt),
            AccountMessageKind.CustomerEmailChanged => null,
            _ => throw new InvalidOperationException($"No message for {row.Kind}."),
        };

        AccountMailRequested Mail(AccountMailKind kind, string to, string? token, string? newEmail) =>
            new(account.Id, kind, to, account.Name, token is null ? null : AccountLinks.ForLink(token), newEmail, row.CreatedAt);
    }
}
