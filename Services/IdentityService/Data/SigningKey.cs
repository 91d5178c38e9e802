namespace ClinicBooking.IdentityService.Data;

/// <summary>
/// A key IdentityService signs (or encrypts) tokens with, created at first start and kept in its database, so
/// a token issued before a restart still validates after it, and no key ever sits in the repository.
/// </summary>
public sealed class SigningKey
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";

    /// <summary><see cref="Signing"/> or <see cref="Encryption"/>: one key of each.</summary>
    public required string Use { get; init; }

    /// <summary>The key id (kid) tokens name, so a validator picks the right key once keys rotate.</summary>
    public required string KeyId { get; init; }

    /// <summary>The RSA private key, encrypted PKCS#8 PEM (with <c>Identity:KeyEncryptionKey</c>).</summary>
    public required string PrivateKeyPem { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
