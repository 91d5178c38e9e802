namespace ClinicBooking.Gateway.Admission;

/// <summary>
/// Request bodies of at most <see cref="MaxBytes"/>: API bodies are a few hundred bytes. A larger body gets a
/// 413 problem. The client is usually still sending it when the answer is ready; were the connection closed
/// then, the client would see it reset and lose the 413. So Kestrel's own limit is the larger
/// <see cref="DrainBytes"/>: after the answer, Kestrel reads and discards the rest of such a body, and the
/// client reads its 413.
/// </summary>
public static class BodyLimit
{
    public const long MaxBytes = 1024 * 1024;

    public const long DrainBytes = 16 * 1024 * 1024;

    public static IHostApplicationBuilder AddBodyLimit(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = DrainBytes);
        return builder;
    }

    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (request.ContentLength > MaxBytes)
        {
            await context.WriteProblemAsync(StatusCodes.Status413PayloadTooLarge, "Request body too large", TooLarge);
            return;
        }
        if (request.ContentLength is null)
        {
            // A chunked body says its size only by ending: count it as it is read.
            request.Body = new LimitedStream(request.Body);
        }
        await next(context);
    });

    private static string TooLarge => $"The body may be at most {MaxBytes} bytes.";

    /// <summary>The client's fault behind an exception (a body too large, cut short), if there is one.</summary>
    public static BadHttpRequestException? ClientFault(Exception? ex) =>
        ex is null ? null : ex as BadHttpRequestException ?? ClientFault(ex.InnerException);

    private sealed class LimitedStream(Stream inner) : Stream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        private int Count(int read)
        {
            _read += read;
            return _read > MaxBytes ? throw new BadHttpRequestException(TooLarge, StatusCodes.Status413PayloadTooLarge) : read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
