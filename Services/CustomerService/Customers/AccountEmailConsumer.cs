using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Customers;

/// <summary>
/// IdentityService's word that a customer's account confirmed a new address: the customer record takes it, so the
/// clinics' staff and NotificationService (through this service's outbox, as for any edit) use it from now on.
/// Repeats change nothing. A customer changes their address only this way (a confirmed link), never by editing
/// the record (<see cref="CustomersApi"/>).
/// </summary>
public sealed class AccountEmailConsumer(CustomerDbContext db, TimeProvider clock, ILogger<AccountEmailConsumer> logger) : IConsumer<AccountEmailChanged>
{
    public async Task Consume(ConsumeContext<AccountEmailChanged> context)
    {
        var changed = context.Message;
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == changed.CustomerId, context.CancellationToken);
        if (customer is null)
        {
            logger.LogWarning("Customer {CustomerId} of a confirmed email change does not exist; nothing to update.", changed.CustomerId);
            return;
        }
        if (customer.SetFields(customer.Name, changed.Email, customer.Phone, clock.UtcNowMicroseconds()))
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
    }
}
