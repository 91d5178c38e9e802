using System.Security.Claims;
using ClinicBooking.Contracts.Access;

namespace ClinicBooking.PaymentService.Payments;

/// <summary>
/// Who reads money: its two parties, the customer it concerns and the staff of the clinic it is for. Administrators
/// and services are never one (403: money is not theirs to read); anyone else asking for a record not theirs gets the
/// 404 an unknown id gets.
/// </summary>
internal static class MoneyParties
{
    /// <summary>The caller, if they are ever a party to money (a customer, or a clinic's staff); else 403 saying <paramref name="rule"/>.</summary>
    public static Caller Require(ClaimsPrincipal user, string rule)
    {
        var caller = Caller.From(user);
        return caller.CustomerId is not null || caller is { IsStaff: true, IsAdministrator: false }
            ? caller
            : throw new ProblemException(StatusCodes.Status403Forbidden, "Forbidden", rule);
    }

    /// <summary>Whether the caller is a party to a record of <paramref name="clinicId"/> for <paramref name="customerId"/>.</summary>
    public static bool IsPartyTo(this Caller caller, long clinicId, long customerId) =>
        caller.CustomerId is { } own ? own == customerId : caller.ClinicIds.Contains(clinicId);
}
