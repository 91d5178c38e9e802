namespace ClinicBooking.Contracts;

// What IdentityService answers about accounts.

/// <summary>A sign-up's account and the customer record it is linked to.</summary>
public sealed record RegisteredResponse(string AccountId, long CustomerId, string Email);

/// <summary>A clinic staff account and the clinics it works for (as far as the caller may see).</summary>
public sealed record StaffResponse(string Id, string Name, string Email, IReadOnlyList<long> ClinicIds);
