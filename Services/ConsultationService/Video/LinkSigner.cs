using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ConsultationService.Video;

/// <summary>HMAC-SHA256 over the link's parts with <see cref="VideoOptions.SigningKey"/>: a join link cannot be made up or turned into another's.</summary>
public sealed class LinkSigner(IOptions<VideoOptions> options)
{
    private readonly byte[] _key = options.Value.Key;

    public string Sign(params string[] parts) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(string.Join('\n', parts))));

    public bool Verify(string? signature, params string[] parts) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(Sign(parts)));
}
