using ClinicBooking.IdentityService.Data;
using ClinicBooking.IdentityService.Extensions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>The roles, and the first administrator (created once, when no administrator exists yet).</summary>
public sealed class AccountSeeder(
    RoleManager<IdentityRole> roles, UserManager<Account> accounts, IOptions<IdentityServiceOptions> options,
    TimeProvider clock, ILogger<AccountSeeder> logger)
{
    public async Task SeedAsync(CancellationToken ct)
    {
        foreach (var role in new[] { Roles.Administrator, Roles.Staff, Roles.Customer })
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        if ((await accounts.GetUsersInRoleAsync(Roles.Administrator)).Count > 0)
        {
            return;
        }
        var admin = options.Value.Administrator;
        if (string.IsNullOrEmpty(admin.Password))
        {
            logger.LogWarning("No administrator exists and Identity:Administrator:Password is not set: none was created.");
            return;
        }
        // The operator set this address: it needs no verification mail.
        var account = new Account { Name = "Administrator", UserName = admin.Email, Email = admin.Email, EmailConfirmed = true, CreatedAt = clock.GetUtcNow() };
        Check(await accounts.CreateAsync(account, admin.Password), $"create the administrator {admin.Email}");
        Check(await accounts.AddToRoleAsync(account, Roles.Administrator), "make the administrator one");
        logger.LogInformation("Created the first administrator, {Email}.", admin.Email);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }
}
