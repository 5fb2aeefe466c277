using System.Security.Cryptography;
using System.Text;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Silo.Api;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Admin;

/// <summary>
/// Requires the admin key on <c>/admin</c>. Client keys never open it: they are held elsewhere and a
/// client key that happens to be presented here is simply a wrong admin key.
/// </summary>
public sealed class AdminAuthenticationFilter : IEndpointFilter
{
    private const string Bearer = "Bearer ";
    private const string Basic = "Basic ";

    private readonly byte[]? _hash;

    public AdminAuthenticationFilter(IOptions<AdminOptions> options)
    {
        var admin = options.Value;
        _hash = admin.KeyHash is { Length: 64 } hex ? Convert.FromHexString(hex)
            : admin.Key is { Length: > 0 } key ? ClientKeyHasher.Hash(key)
            : null;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Check(context.HttpContext.Request, allowBasic: false) is { } error ? OpenAIErrors.Result(error) : await next(context);

    /// <summary>
    /// Null when the request carries the admin key, else the error to answer. Basic authentication
    /// (the key as password, any user name) is accepted only where <paramref name="allowBasic"/>: a
    /// browser resends Basic credentials on its own, so it is limited to the read-only dashboard,
    /// where a cross-site request can change nothing.
    /// </summary>
    public GatewayError? Check(HttpRequest request, bool allowBasic)
    {
        if (_hash is null)
        {
            return new GatewayError
            {
                Status = 403,
                Type = GatewayErrors.InvalidRequestType,
                Message = "The admin API is closed: set ImageOrleans:Admin:Key (or KeyHash) to open it.",
                Code = "admin_disabled",
            };
        }

        var header = request.Headers.Authorization.ToString();
        var presented = header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? header[Bearer.Length..].Trim()
            : allowBasic && header.StartsWith(Basic, StringComparison.OrdinalIgnoreCase) ? BasicPassword(header[Basic.Length..].Trim())
            : null;
        if (string.IsNullOrEmpty(presented))
        {
            return GatewayErrors.MissingApiKey();
        }

        return CryptographicOperations.FixedTimeEquals(ClientKeyHasher.Hash(presented), _hash)
            ? null
            : GatewayErrors.InvalidApiKey() with { Message = "Incorrect admin key." };
    }

    private static string? BasicPassword(string encoded)
    {
        var bytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, bytes, out var length))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : text[(colon + 1)..];
    }
}
