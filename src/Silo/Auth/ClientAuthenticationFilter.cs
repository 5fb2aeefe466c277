using ImageOrleans.Grains.Errors;
using ImageOrleans.Silo.Api;

namespace ImageOrleans.Silo.Auth;

/// <summary>Requires <c>Authorization: Bearer &lt;client key&gt;</c> on every endpoint of the group it guards.</summary>
public sealed class ClientAuthenticationFilter(ClientKeyRegistry keys) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length == Bearer.Length)
        {
            return OpenAIErrors.Result(GatewayErrors.MissingApiKey());
        }

        var identity = keys.Authenticate(header[Bearer.Length..].Trim());
        if (identity is null)
        {
            return OpenAIErrors.Result(GatewayErrors.InvalidApiKey());
        }

        http.SetClient(identity);
        return await next(context);
    }
}
