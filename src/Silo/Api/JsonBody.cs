using System.Buffers;
using System.Net.Http.Headers;
using ImageOrleans.Grains.Errors;

namespace ImageOrleans.Silo.Api;

/// <summary>Reads a JSON request body with a size ceiling, answering 415 and 413 in OpenAI's shape.</summary>
public static class JsonBody
{
    public static async Task<(ReadOnlyMemory<byte> Body, GatewayError? Error)> ReadAsync(HttpRequest request, long limit)
    {
        if (!IsJson(request.ContentType))
        {
            return (default, GatewayErrors.UnsupportedMediaType(request.ContentType));
        }

        if (request.ContentLength > limit)
        {
            return (default, GatewayErrors.BodyTooLarge(limit));
        }

        var length = request.ContentLength;
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(limit, length ?? 4096) + 1);
        while (true)
        {
            // A body of known length fills a buffer of its size (the spare byte reads its end): asking for 16 KB
            // regardless made every small request grow a second, 16 KB buffer. One of unknown length grows by 16 KB.
            var memory = buffer.GetMemory(length is { } known ? (int)Math.Clamp(known + 1 - buffer.WrittenCount, 1, 16 * 1024) : 16 * 1024);
            var read = await request.Body.ReadAsync(memory, request.HttpContext.RequestAborted);
            if (read == 0)
            {
                return (buffer.WrittenMemory, null);
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return (default, GatewayErrors.BodyTooLarge(limit));
            }
        }
    }

    /// <summary>JSON, and in UTF-8: the only encoding the body is read in, so another charset is refused, not misread.</summary>
    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is not { } type)
        {
            return false;
        }

        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        var charset = media.CharSet?.Trim('"');
        return json && (string.IsNullOrEmpty(charset)
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }
}
