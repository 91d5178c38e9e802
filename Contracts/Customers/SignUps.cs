using System.Security.Cryptography;
using System.Text;

namespace ClinicBooking.Contracts.Customers;

/// <summary>
/// How IdentityService keys the customer a sign-up creates in CustomerService (its <c>Idempotency-Key</c>):
/// by the sign-up's email. A sign-up cut off after CustomerService created the customer (the answer lost, the
/// account undone) leaves that customer behind with no account; the next sign-up of the email sends the same
/// key and completes with it, instead of finding the email taken for ever.
/// </summary>
public static class SignUps
{
    public static string KeyOf(string email) =>
        "sign-up:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));
}
