using System.Security.Cryptography;
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
    private readonly byte[]? _hash;

    public AdminAuthenticationFilter(IOptions<AdminOptions> options)
    {
        var admin = options.Value;
        _hash = admin.KeyHash is { Length: 64 } hex ? Convert.FromHexString(hex)
            : admin.Key is { Length: > 0 } key ? ClientKeyHasher.Hash(key)
            : null;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_hash is null)
        {
            return OpenAIErrors.Result(new GatewayError
            {
                Status = 403,
                Type = GatewayErrors.InvalidRequestType,
                Message = "The admin API is closed: set ImageOrleans:Admin:Key (or KeyHash) to open it.",
                Code = "admin_disabled",
            });
        }

        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length == Bearer.Length)
        {
            return OpenAIErrors.Result(GatewayErrors.MissingApiKey());
        }

        var presented = ClientKeyHasher.Hash(header[Bearer.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _hash)
            ? await next(context)
            : OpenAIErrors.Result(GatewayErrors.InvalidApiKey() with { Message = "Incorrect admin key." });
    }
}
