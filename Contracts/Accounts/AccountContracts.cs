namespace ClinicBooking.Contracts;

// What IdentityService answers about accounts.

/// <summary>
/// A sign-up's answer, the same whether or not the address has an account: the address the link was sent to
/// (a new account signs in once it is followed; an existing account's owner is told).
/// </summary>
public sealed record SignUpResponse(string Email);

/// <summary>A clinic staff account and the clinics it works for (as far as the caller may see).</summary>
public sealed record StaffResponse(string Id, string Name, string Email, IReadOnlyList<long> ClinicIds);
