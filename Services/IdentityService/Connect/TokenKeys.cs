using System.Security.Cryptography;
using ClinicBooking.IdentityService.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace ClinicBooking.IdentityService.Connect;

/// <summary>
/// The RSA keys tokens are signed and encrypted with, read from the database (created there on the very first
/// start) before the service serves its first request. Several instances starting together agree on one key:
/// the first insert wins and everyone reads what was stored.
/// </summary>
public sealed class TokenKeys(Microsoft.Extensions.Options.IOptions<Extensions.IdentityServiceOptions> options)
{
    // PBKDF2 with SHA-256 and AES-256: the PKCS#8 encryption every PEM reader understands.
    private static readonly PbeParameters KeyEncryption = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000);

    private RsaSecurityKey? _signing;
    private RsaSecurityKey? _encryption;

    public RsaSecurityKey Signing => _signing ?? throw NotLoaded();

    public RsaSecurityKey Encryption => _encryption ?? throw NotLoaded();

    public SigningCredentials SigningCredentials => new(Signing, SecurityAlgorithms.RsaSha256);

    public async Task LoadAsync(AccountsDbContext db, TimeProvider clock, CancellationToken ct)
    {
        _signing = await LoadOrCreateAsync(db, SigningKey.Signing, clock, ct);
        _encryption = await LoadOrCreateAsync(db, SigningKey.Encryption, clock, ct);
    }

    private string Secret => options.Value.KeyEncryptionKey!;

    private async Task<RsaSecurityKey> LoadOrCreateAsync(AccountsDbContext db, string use, TimeProvider clock, CancellationToken ct)
    {
        var stored = await db.SigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Use == use, ct);
        if (stored is null)
        {
            using var rsa = RSA.Create(2048);
            db.SigningKeys.Add(new SigningKey
            {
                Use = use,
                KeyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant(),
                PrivateKeyPem = rsa.ExportEncryptedPkcs8PrivateKeyPem(Secret, KeyEncryption),
                CreatedAt = clock.GetUtcNow(),
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Another instance stored its key first; use that one.
            }
            db.ChangeTracker.Clear();
            stored = await db.SigningKeys.AsNoTracking().FirstAsync(k => k.Use == use, ct);
        }
        var key = RSA.Create();
        if (stored.PrivateKeyPem.Contains("BEGIN ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
        {
            key.ImportFromEncryptedPem(stored.PrivateKeyPem, Secret);
        }
        else
        {
            // Stored before keys were encrypted: encrypted now, in place.
            key.ImportFromPem(stored.PrivateKeyPem);
            await db.SigningKeys.Where(k => k.Use == use).ExecuteUpdateAsync(
                u => u.SetProperty(k => k.PrivateKeyPem, key.ExportEncryptedPkcs8PrivateKeyPem(Secret, KeyEncryption)), ct);
        }
        return new RsaSecurityKey(key) { KeyId = stored.KeyId };
    }

    private static InvalidOperationException NotLoaded() =>
        new("The token keys are read at start-up (IdentityDatabaseInitializer) and were not.");
}
