using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Providers;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Credit;

/// <summary>
/// Sends refunds to the provider, outside any transaction: at once after the staff's request committed, and again
/// every <see cref="Interval"/> for those still pending (the provider was down, or its answer was lost). Each call
/// carries the refund's own idempotency key, so the provider refunds it once however often it is sent.
/// </summary>
public sealed class RefundSender(IServiceScopeFactory scopes, ILogger<RefundSender> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PaymentDbContext>();
                var due = DateTimeOffset.UtcNow - Interval;
                var pending = await db.Refunds.Where(r => r.Status == Refund.Pending && r.CreatedAt < due)
                    .OrderBy(r => r.CreatedAt).Select(r => r.Id).Take(100).ToListAsync(stoppingToken);
                foreach (var id in pending)
                {
                    await SendAsync(db, scope.ServiceProvider.GetRequiredService<IPaymentProvider>(), id, logger, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Sending pending refunds failed; trying again in {Interval}.", Interval);
            }
        }
    }

    /// <summary>Sends one pending refund; a failure is recorded on it (operators see it) and left for the next round.</summary>
    public static async Task SendAsync(PaymentDbContext db, IPaymentProvider provider, long refundId, ILogger logger, CancellationToken ct)
    {
        var refund = await db.Refunds.SingleAsync(r => r.Id == refundId, ct);
        if (refund.Status != Refund.Pending)
        {
            return;
        }
        var reference = await db.Payments.Where(p => p.Id == refund.PaymentId).Select(p => p.ProviderReference).SingleAsync(ct);
        refund.Attempts++;
        try
        {
            refund.ProviderRefundId = await provider.RefundAsync(reference!, refund.Amount, refund.Currency, refund.ProviderKey, ct);
            refund.Status = Refund.Succeeded;
            refund.CompletedAt = DateTimeOffset.UtcNow;
            refund.LastError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Refund {RefundId} of payment {PaymentId} was not taken by the provider (attempt {Attempt}).", refund.Id, refund.PaymentId, refund.Attempts);
            refund.LastError = e.Message.Length > 500 ? e.Message[..500] : e.Message;
        }
        await db.SaveChangesAsync(ct);
    }
}
