using System.Security.Claims;
using System.Text.Json.Nodes;
using ClinicBooking.CustomerService.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Customers;

public static class CustomersApi
{
    /// <summary>Fields a merge patch may touch; anything else (id, timestamps, typos) is refused, not ignored.</summary>
    private static readonly string[] PatchableFields = ["name", "email", "phone", "isActive"];

    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/customers").WithTags("Customers")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/", ListCustomers).WithName("ListCustomers").Administrators();
        // Customers sign up through IdentityService (/account/register), which creates their record here.
        api.MapPost("/", CreateCustomer).WithName("CreateCustomer").AdministratorsAndServices();

        // Whether the customer may have tokens: IdentityService asks at every sign-in and refresh.
        api.MapGet("/{id:long}/standing", GetStanding).WithName("GetCustomerStanding").AdministratorsAndServices();

        var customer = api.MapGroup("/{id:long}").CustomerSelf("id");
        customer.MapGet("/", GetCustomer).WithName("GetCustomer");
        customer.MapPut("/", ReplaceCustomer).WithName("ReplaceCustomer");
        customer.MapPatch("/", PatchCustomer).WithName("PatchCustomer")
            .Accepts<JsonObject>(JsonMergePatch.MediaType);
        customer.MapDelete("/", DeactivateCustomer).WithName("DeactivateCustomer");
        // Who changed the record, and how: administrators only.
        customer.MapGet("/audit", GetCustomerAudit).WithName("GetCustomerAudit").Administrators();

        return app;
    }

    /// <summary>The dependencies of the customer handlers.</summary>
    public sealed record CustomerServices(CustomerDbContext Db, TimeProvider Clock, AccessRevocations Revocations);

    /// <summary>Lists customers by id; deactivated ones only when the filter includes them.</summary>
    public static async Task<Ok<PagedResult<CustomerResponse>>> ListCustomers(
        [AsParameters] CustomerFilter filter, [AsParameters] PageRequest page, CustomerDbContext db, CancellationToken ct)
    {
        var query = db.Customers.AsNoTracking();
        if (!filter.IncludeInactive)
        {
            query = query.Where(c => c.IsActive);
        }
        if (!string.IsNullOrWhiteSpace(filter.Email))
        {
            var normalized = filter.Email.Trim().ToLowerInvariant();
            query = query.Where(c => c.NormalizedEmail == normalized);
        }

        var total = await query.LongCountAsync(ct);
        var items = await query.OrderBy(c => c.Id)
            .Skip(page.Skip)
            .Take(page.PageSize)
            .Select(c => CustomerResponse.From(c))
            .ToListAsync(ct);
        return TypedResults.Ok(new PagedResult<CustomerResponse>(page.PageIndex, page.PageSize, total, items));
    }

    public static async Task<Ok<CustomerResponse>> GetCustomer(long id, CustomerDbContext db, CancellationToken ct) =>
        TypedResults.Ok(CustomerResponse.From(await FindAsync(db.Customers.AsNoTracking(), id, ct)));

    public static async Task<Ok<CustomerStanding>> GetStanding(long id, CustomerDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.Customers.AsNoTracking().Where(c => c.Id == id).Select(c => new CustomerStanding(c.Id, c.IsActive))
            .FirstOrDefaultAsync(ct) ?? throw CustomerNotFound(id));

    /// <summary>Every change of the customer's record, oldest first, with who made it.</summary>
    public static async Task<Ok<List<AuditEntryResponse>>> GetCustomerAudit(long id, CustomerDbContext db, CancellationToken ct)
    {
        await FindAsync(db.Customers.AsNoTracking(), id, ct);
        return TypedResults.Ok(await db.CustomerAudit.AsNoTracking().Where(a => a.CustomerId == id).OrderBy(a => a.Id)
            .Select(a => new AuditEntryResponse(a.At, a.Actor, a.Action, a.Detail, "customer", a.CustomerId))
            .ToListAsync(ct));
    }

    /// <summary>
    /// Creates a customer. A create sent again with the same <c>Idempotency-Key</c> answers the customer the
    /// first one made (200), with this request's name, email and phone: IdentityService keys a sign-up by its
    /// email (<c>SignUps</c>), so a sign-up cut off after this step is completed by the next sign-up of that email
    /// rather than finding it taken. A deactivated customer stays deactivated.
    /// </summary>
    public static async Task<Results<Created<CustomerResponse>, Ok<CustomerResponse>>> CreateCustomer(
        CreateCustomerRequest request, [AsParameters] IdempotencyKey key, [AsParameters] CustomerServices services, CancellationToken ct)
    {
        var now = services.Clock.UtcNowMicroseconds();
        if (key.Value is not null && await services.Db.Customers.FirstOrDefaultAsync(c => c.IdempotencyKey == key.Value, ct) is { } made)
        {
            made.SetFields(request.Name!, request.Email!, request.Phone, now);
            await services.Db.SaveChangesAsync(ct);
            return TypedResults.Ok(CustomerResponse.From(made));
        }
        var customer = new Customer { Name = "", Email = "", CreatedAt = now, IdempotencyKey = key.Value };
        customer.SetFields(request.Name!, request.Email!, request.Phone, now);
        services.Db.Customers.Add(customer);
        await services.Db.SaveChangesAsync(ct);
        return TypedResults.Created($"/customers/{customer.Id}", CustomerResponse.From(customer));
    }

    public static async Task<Ok<CustomerResponse>> ReplaceCustomer(
        long id, UpdateCustomerRequest request, ClaimsPrincipal user, [AsParameters] CustomerServices services, CancellationToken ct) =>
        await UpdateAsync(await FindAsync(services.Db.Customers, id, ct), request, user, services, ct);

    /// <summary>
    /// JSON Merge Patch: the patch is merged into the customer's current editable fields, and the result
    /// goes through the same validation and rules as a PUT.
    /// </summary>
    public static async Task<Ok<CustomerResponse>> PatchCustomer(
        long id, JsonNode? patch, ClaimsPrincipal user, [AsParameters] CustomerServices services, MergePatcher<UpdateCustomerRequest> patcher, CancellationToken ct)
    {
        var customer = await FindAsync(services.Db.Customers, id, ct);
        // isActive is absent from the current state, so leaving it out of the patch keeps the state.
        var merged = await patcher.ApplyAsync(new UpdateCustomerRequest(customer.Name, customer.Email, customer.Phone), patch, PatchableFields, ct);
        return await UpdateAsync(customer, merged, user, services, ct);
    }

    /// <summary>Deactivates the customer (idempotent). Customers are never removed: bookings refer to them.</summary>
    public static async Task<NoContent> DeactivateCustomer(long id, [AsParameters] CustomerServices services, CancellationToken ct)
    {
        var customer = await FindAsync(services.Db.Customers, id, ct);
        customer.Deactivate(services.Clock.UtcNowMicroseconds());
        await services.Db.SaveChangesAsync(ct);
        await services.Revocations.SetCustomerInactiveAsync(customer.Id, inactive: true);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<CustomerResponse>> UpdateAsync(
        Customer customer, UpdateCustomerRequest request, ClaimsPrincipal user, CustomerServices services, CancellationToken ct)
    {
        // A customer's address is their account's: it changes once the new one is confirmed by a link sent to
        // it (IdentityService), never by an edit, so mail never goes to an address nobody proved is theirs.
        if (!ClinicBooking.Contracts.Access.Caller.From(user).IsAdministrator && !string.Equals(request.Email!.Trim(), customer.Email, StringComparison.Ordinal))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]>
            {
                ["email"] = ["Your email address changes at POST /account/email (the web app's Account page), which confirms the new one first."],
            });
        }
        // An edit must not bring a deactivated customer back as a side effect.
        if (!customer.IsActive && request.IsActive != true)
        {
            throw ProblemException.Conflict(
                $"Customer {customer.Id} is deactivated. Send \"isActive\": true with the update to reactivate it.");
        }
        var now = services.Clock.UtcNowMicroseconds();
        customer.SetFields(request.Name!, request.Email!, request.Phone, now);
        switch (request.IsActive)
        {
            case true: customer.Reactivate(now); break;
            case false: customer.Deactivate(now); break;
        }
        await services.Db.SaveChangesAsync(ct);
        if (request.IsActive is { } active)
        {
            // Their tokens stop (or work again) within a second everywhere, not at their expiry.
            await services.Revocations.SetCustomerInactiveAsync(customer.Id, inactive: !active);
        }
        return TypedResults.Ok(CustomerResponse.From(customer));
    }

    private static async Task<Customer> FindAsync(IQueryable<Customer> customers, long id, CancellationToken ct) =>
        await customers.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw CustomerNotFound(id);

    public static ProblemException CustomerNotFound(long id) => ProblemException.NotFound($"Customer {id} does not exist.");
}
