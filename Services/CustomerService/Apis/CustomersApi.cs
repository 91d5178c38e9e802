using System.Text.Json.Nodes;
using ClinicBooking.CustomerService.Infrastructure;
using ClinicBooking.CustomerService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClinicBooking.CustomerService.Apis;

public static class CustomersApi
{
    /// <summary>Fields a merge patch may touch; anything else (id, timestamps, typos) is refused, not ignored.</summary>
    private static readonly string[] PatchableFields = ["name", "email", "phone", "isActive"];

    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/customers").WithTags("Customers");

        api.MapGet("/", ListCustomers).WithName("ListCustomers");
        api.MapGet("/{id:long}", GetCustomer).WithName("GetCustomer");
        api.MapPost("/", CreateCustomer).WithName("CreateCustomer");
        api.MapPut("/{id:long}", ReplaceCustomer).WithName("ReplaceCustomer");
        api.MapPatch("/{id:long}", PatchCustomer).WithName("PatchCustomer")
            .Accepts<JsonObject>(JsonMergePatch.MediaType);
        api.MapDelete("/{id:long}", DeactivateCustomer).WithName("DeactivateCustomer");

        return app;
    }

    /// <summary>Lists customers by id; deactivated ones only when <paramref name="includeInactive"/> is set.</summary>
    public static async Task<Results<Ok<PagedResult<CustomerResponse>>, ValidationProblem>> ListCustomers(
        CustomerDbContext db,
        CancellationToken ct,
        int pageIndex = 0,
        int pageSize = Paging.DefaultPageSize,
        bool includeInactive = false,
        string? email = null)
    {
        var errors = Paging.Validate(pageIndex, pageSize);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var query = db.Customers.AsNoTracking();
        if (!includeInactive)
        {
            query = query.Where(c => c.IsActive);
        }
        if (!string.IsNullOrWhiteSpace(email))
        {
            var normalized = email.Trim().ToLowerInvariant();
            query = query.Where(c => c.NormalizedEmail == normalized);
        }

        var total = await query.LongCountAsync(ct);
        var page = await query.OrderBy(c => c.Id)
            .Skip(pageIndex * pageSize)
            .Take(pageSize)
            .Select(c => CustomerResponse.From(c))
            .ToListAsync(ct);
        return TypedResults.Ok(new PagedResult<CustomerResponse>(pageIndex, pageSize, total, page));
    }

    public static async Task<Results<Ok<CustomerResponse>, ProblemHttpResult>> GetCustomer(
        long id, CustomerDbContext db, CancellationToken ct)
    {
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        return customer is null ? CustomerNotFound(id) : TypedResults.Ok(CustomerResponse.From(customer));
    }

    public static async Task<Results<Created<CustomerResponse>, ValidationProblem, ProblemHttpResult>> CreateCustomer(
        CreateCustomerRequest request, CustomerDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var (fields, errors) = CustomerValidator.Validate(request.Name, request.Email, request.Phone);
        if (fields is null)
        {
            return Problems.Validation(errors);
        }

        var now = clock.UtcNowMicroseconds();
        var customer = new Customer
        {
            Name = fields.Name,
            Email = fields.Email,
            Phone = fields.Phone,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Customers.Add(customer);

        if (await TrySaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Created($"/customers/{customer.Id}", CustomerResponse.From(customer));
    }

    public static async Task<Results<Ok<CustomerResponse>, ValidationProblem, ProblemHttpResult>> ReplaceCustomer(
        long id, UpdateCustomerRequest request, CustomerDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (customer is null)
        {
            return CustomerNotFound(id);
        }
        return await ApplyUpdateAsync(customer, request, db, clock, ct);
    }

    /// <summary>
    /// JSON Merge Patch: the patch is merged into the customer's current editable fields, and the result
    /// goes through the same validation and rules as a PUT.
    /// </summary>
    public static async Task<Results<Ok<CustomerResponse>, ValidationProblem, ProblemHttpResult>> PatchCustomer(
        long id, JsonNode? patch, CustomerDbContext db, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (customer is null)
        {
            return CustomerNotFound(id);
        }

        // isActive is absent from the current state, so leaving it out of the patch keeps the state.
        var current = new UpdateCustomerRequest(customer.Name, customer.Email, customer.Phone);
        var (merged, problem) = MergePatch.Apply(current, patch, json.Value.SerializerOptions, PatchableFields);
        if (problem is not null)
        {
            return problem;
        }
        return await ApplyUpdateAsync(customer, merged!, db, clock, ct);
    }

    /// <summary>Deactivates the customer (idempotent). Customers are never removed: bookings refer to them.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeactivateCustomer(
        long id, CustomerDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (customer is null)
        {
            return CustomerNotFound(id);
        }
        customer.Deactivate(clock.UtcNowMicroseconds());
        if (await TrySaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<CustomerResponse>, ValidationProblem, ProblemHttpResult>> ApplyUpdateAsync(
        Customer customer, UpdateCustomerRequest request, CustomerDbContext db, TimeProvider clock, CancellationToken ct)
    {
        // An edit must not bring a deactivated customer back as a side effect.
        if (!customer.IsActive && request.IsActive != true)
        {
            return Problems.Conflict(
                $"Customer {customer.Id} is deactivated. Send \"isActive\": true with the update to reactivate it.");
        }

        var (fields, errors) = CustomerValidator.Validate(request.Name, request.Email, request.Phone);
        if (fields is null)
        {
            return Problems.Validation(errors);
        }

        var now = clock.UtcNowMicroseconds();
        if (customer.Name != fields.Name || customer.Email != fields.Email || customer.Phone != fields.Phone)
        {
            customer.Name = fields.Name;
            customer.Email = fields.Email;
            customer.Phone = fields.Phone;
            customer.UpdatedAt = now;
        }
        switch (request.IsActive)
        {
            case true: customer.Reactivate(now); break;
            case false: customer.Deactivate(now); break;
        }

        if (await TrySaveAsync(db, ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Ok(CustomerResponse.From(customer));
    }

    /// <summary>
    /// Saves, turning what the database refuses into a 409: the unique email index (checked by the database
    /// alone, so two concurrent sign-ups cannot both win) and a concurrent edit of the same row.
    /// </summary>
    private static async Task<ProblemHttpResult?> TrySaveAsync(CustomerDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException
        {
            SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: CustomerDbContext.UniqueEmailIndex
        })
        {
            return Problems.Conflict("Another customer already uses this email address.");
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The customer was changed by another request at the same time; read it again and retry.");
        }
    }

    public static ProblemHttpResult CustomerNotFound(long id) => Problems.NotFound($"Customer {id} does not exist.");
}
