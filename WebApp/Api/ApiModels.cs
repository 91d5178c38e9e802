namespace ClinicBooking.WebApp.Api;

// The API's answers are the records the services answer with, from Contracts (ClinicBooking.Contracts):
// this client declares none of its own.

/// <summary>The signed-in account: its address and whether it is verified.</summary>
public sealed record AccountResponse(string Id, string Name, string Email, bool EmailVerified, long? CustomerId);
