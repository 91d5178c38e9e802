using ClinicBooking.Contracts.Access;
using Microsoft.AspNetCore.Mvc;
using ClinicBooking.CustomerService.Data;

namespace ClinicBooking.CustomerService.Customers;

public sealed record CustomerResponse(
    long Id,
    string Name,
    string Email,
    string? Phone,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeactivatedAt)
{
    public static CustomerResponse From(Customer c) =>
        new(c.Id, c.Name, c.Email, c.Phone, c.IsActive, c.CreatedAt, c.UpdatedAt, c.DeactivatedAt);
}

/// <summary>Fields are nullable so a missing field is reported as a validation error, not a JSON error.</summary>
public sealed record CreateCustomerRequest(
    [property: SetBy(Roles.Administrator, Roles.Service)] string? Name,
    [property: SetBy(Roles.Administrator, Roles.Service)] string? Email,
    [property: SetBy(Roles.Administrator, Roles.Service)] string? Phone) : ICustomerFields;

/// <summary>
/// A full replacement (PUT), or the result of a merge patch. <see cref="IsActive"/> is optional: left out,
/// the customer keeps its state; a deactivated customer is only reactivated by an explicit <c>true</c>.
/// </summary>
public sealed record UpdateCustomerRequest(
    [property: SetBy(Roles.Customer, Roles.Administrator)] string? Name,
    [property: SetBy(Roles.Customer, Roles.Administrator)] string? Email,
    [property: SetBy(Roles.Customer, Roles.Administrator)] string? Phone,
    // Deactivation and reactivation are administrators' decisions (a customer leaves with DELETE): a
    // deactivated customer must not be able to undo it.
    [property: SetBy(Roles.Administrator)] bool? IsActive = null) : ICustomerFields;

/// <summary>The customer list, narrowed to one email (any case) and to the active customers unless asked.</summary>
public sealed record CustomerFilter(
    [FromQuery(Name = "email")] string? Email, [FromQuery(Name = "includeInactive")] bool IncludeInactive = false);

/// <summary>Whether a customer may have tokens (for IdentityService).</summary>
public sealed record CustomerStanding(long Id, bool IsActive);
