using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// Kestrel refuses a request whose header bytes are not valid UTF-8 with a bare 400 before any of our
/// code runs, so the client never learns which header was wrong. Decoding with replacement characters
/// instead lets the request reach the header checks, which answer a 400 in OpenAI's shape that names
/// the header (a replacement character is never a valid priority, key or idempotency key).
/// </summary>
public static class HeaderDecoding
{
    private static readonly Encoding Lenient = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static IServiceCollection AddLenientHeaderDecoding(this IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(o => o.RequestHeaderEncodingSelector = _ => Lenient);
}
