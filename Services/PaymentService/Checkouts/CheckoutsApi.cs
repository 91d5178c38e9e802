using System.Security.Claims;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.Messages;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Payments;
using ClinicBooking.PaymentService.Providers;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.PaymentService.Checkouts;

/// <summary>
/// Paying invoices by card: a customer opens a checkout for some of their open invoices at one clinic (one payment
/// for several bookings) and pays on the provider's page; the provider's webhook says when the money was captured
/// (<see cref="CheckoutSettlement"/>). Opening is idempotent twice over: an Idempotency-Key returns the same checkout,
/// and so does asking again for the same invoices while a page is open, so a retried request never opens a second
/// page to pay the same thing on; the provider call carries a key of its own, so a retry after a lost answer gets the
/// same page.
/// </summary>
public static class CheckoutsApi
{
    public static IEndpointRouteBuilder MapCheckoutsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/checkouts").WithTags("Payments")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/", OpenCheckout)
            .WithSummary("Opens a card payment for some of your open invoices at one clinic (a customer); answers the provider's payment page")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/{id:long}", GetCheckout).WithSummary("A card payment: open (its page), paid (its payment) or expired");
        return app;
    }

    public static async Task<Results<Created<CheckoutResponse>, Ok<CheckoutResponse>>> OpenCheckout(
        CheckoutRequestBody request, [AsParameters] IdempotencyKey key, ClaimsPrincipal user, PaymentDbContext db,
        IPaymentProvider provider, IOptions<PaymentOptions> options, TimeProvider clock, ILogger<CheckoutRequestBody> logger, CancellationToken ct)
    {
        var customerId = Caller.From(user).CustomerId
            ?? throw new ProblemException(StatusCodes.Status403Forbidden, "Forbidden", "Customers pay their own invoices by card; the clinic's staff record payments at the desk.");
        var ids = request.InvoiceIds!.Distinct().Order().ToList();
        if (key.Value is not null
            && await db.Checkouts.AsNoTracking().Include(c => c.Invoices).SingleOrDefaultAsync(c => c.CustomerId == customerId && c.IdempotencyKey == key.Value, ct) is { } keyed)
        {
            if (!keyed.Invoices.Select(i => i.InvoiceId).Order().SequenceEqual(ids))
            {
                throw ProblemException.Conflict($"The {IdempotencyKey.Header} was used for checkout {keyed.Id}, of other invoices: use a new key for a new payment.");
            }
            return TypedResults.Ok(await EnsurePageAsync(db, provider, options.Value, keyed, logger, ct));
        }
        var invoices = await PayableInvoices.LoadAsync(db.Invoices.Where(i => i.CustomerId == customerId), ids, "yours", ct);
        var first = invoices[ids[0]];
        var now = clock.GetUtcNow();
        // A booking paid when booked is paid by its deadline, when its slot is let go: its page closes then.
        var awaiting = BookingStatus.AwaitingPayment.ToName();
        var dueBy = await db.BookedAppointments
            .Where(b => b.Status == awaiting && db.InvoiceLines.Any(l => ids.Contains(l.InvoiceId) && l.BookingId == b.BookingId))
            .MinAsync(b => b.PaymentDueBy, ct);
        if (dueBy <= now)
        {
            throw ProblemException.Conflict("The time to pay for this booking has run out; its slot is being let go.");
        }
        // The same invoices asked for again while their page is open: that page, not a second one.
        var open = await db.Checkouts.AsNoTracking().Include(c => c.Invoices)
            .Where(c => c.CustomerId == customerId && c.Status == Checkout.Open && c.ExpiresAt > now
                && c.Invoices.Count == ids.Count && c.Invoices.All(i => ids.Contains(i.InvoiceId)))
            .OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);
        if (open is not null && open.Invoices.All(i => i.Amount == invoices[i.InvoiceId].Total - invoices[i.InvoiceId].Settled))
        {
            return TypedResults.Ok(await EnsurePageAsync(db, provider, options.Value, open, logger, ct));
        }
        var checkout = new Checkout
        {
            ClinicId = first.ClinicId,
            CustomerId = customerId,
            Currency = first.Currency,
            Amount = invoices.Values.Sum(i => i.Total - i.Settled),
            IdempotencyKey = key.Value,
            ExpiresAt = dueBy is { } due && due < now + options.Value.CheckoutLifetime ? due : now + options.Value.CheckoutLifetime,
            CreatedAt = now,
            Invoices = [.. ids.Select(id => new CheckoutInvoice { InvoiceId = id, Amount = invoices[id].Total - invoices[id].Settled })],
        };
        db.Checkouts.Add(checkout);
        // Saved before the provider is called, so that whatever happens there, a retry finds this checkout.
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/checkouts/{checkout.Id}", await EnsurePageAsync(db, provider, options.Value, checkout, logger, ct));
    }

    public static async Task<Ok<CheckoutResponse>> GetCheckout(long id, ClaimsPrincipal user, PaymentDbContext db, CancellationToken ct)
    {
        var caller = MoneyParties.Require(user, "Card payments are read by the customer who pays and the staff of the clinic paid.");
        var checkout = await db.Checkouts.AsNoTracking().Include(c => c.Invoices).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (checkout is null || !caller.IsPartyTo(checkout.ClinicId, checkout.CustomerId))
        {
            throw ProblemException.NotFound($"Checkout {id} does not exist, or is not yours.");
        }
        return TypedResults.Ok(checkout.ToResponse());
    }

    /// <summary>The checkout with its payment page: asked of the provider if it has none yet, with a key of its own.</summary>
    private static async Task<CheckoutResponse> EnsurePageAsync(PaymentDbContext db, IPaymentProvider provider, PaymentOptions options,
        Checkout checkout, ILogger logger, CancellationToken ct)
    {
        if (checkout.SessionId is not null || checkout.Status != Checkout.Open)
        {
            return checkout.ToResponse();
        }
        ProviderCheckout page;
        try
        {
            page = await provider.CreateCheckoutAsync(new CheckoutRequest(
                checkout.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                checkout.Amount, checkout.Currency,
                checkout.Invoices.Count == 1 ? $"Invoice {checkout.Invoices[0].InvoiceId}" : $"Invoices {string.Join(", ", checkout.Invoices.Select(i => i.InvoiceId))}",
                new Uri(options.ReturnUrl!, $"/checkouts/{checkout.Id}"),
                checkout.ExpiresAt), $"checkout-{checkout.Id}", ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The payment provider did not open a page for checkout {CheckoutId}", checkout.Id);
            throw new ProblemException(StatusCodes.Status503ServiceUnavailable, "Payment provider unavailable",
                $"The payment provider did not answer. Send the same request again (checkout {checkout.Id} is kept): nothing was charged.");
        }
        await db.Checkouts.Where(c => c.Id == checkout.Id && c.SessionId == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.SessionId, page.SessionId).SetProperty(x => x.Url, page.Url.ToString()), ct);
        checkout.SessionId = page.SessionId;
        checkout.Url = page.Url.ToString();
        return checkout.ToResponse();
    }

    internal static CheckoutResponse ToResponse(this Checkout c) =>
        new(c.Id, c.ClinicId, c.CustomerId, c.Currency, c.Amount, c.Status,
            c.Status == Checkout.Open ? c.Url : null, c.ExpiresAt, c.PaymentId, c.LastFailure, c.PaidAt,
            [.. c.Invoices.OrderBy(i => i.InvoiceId).Select(i => new CheckoutInvoiceResponse(i.InvoiceId, i.Amount))]);
}

/// <summary>The invoices to pay by card: open ones of yours at one clinic, in one currency.</summary>
public sealed record CheckoutRequestBody(
    [property: SetBy(Roles.Customer)] IReadOnlyList<long>? InvoiceIds);

public sealed class CheckoutRequestBodyValidator : RequestValidator<CheckoutRequestBody>
{
    public CheckoutRequestBodyValidator() =>
        // Stop at the first failure: the rules after NotEmpty read the list.
        RuleFor(r => r.InvoiceIds).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("invoiceIds is required: the invoices to pay.")
            .Must(ids => ids!.Count <= Payments.DeskPaymentRequestValidator.MaxInvoices).WithMessage($"One payment pays at most {Payments.DeskPaymentRequestValidator.MaxInvoices} invoices.")
            .Must(ids => ids!.All(id => id > 0)).WithMessage("Each invoice id is a positive number.");
}
