using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Silo.Api;

namespace ImageOrleans.Silo.Auth;

/// <summary>Requires <c>Authorization: Bearer &lt;client key&gt;</c> on every endpoint of the group it guards.</summary>
public sealed class ClientAuthenticationFilter(ClientKeyDirectory keys, IGrainFactory grains) : IEndpointFilter
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

        var identity = await keys.AuthenticateAsync(header[Bearer.Length..].Trim());
        if (identity is null)
        {
            return OpenAIErrors.Result(GatewayErrors.InvalidApiKey());
        }

        http.SetClient(identity);
        var result = await next(context);

        // Every answer carries the key's own limits; a generation wrote them when it took its quota.
        if (!QuotaHeaderWriter.Written(http.Response))
        {
            QuotaHeaderWriter.Write(http.Response, await grains.GetGrain<IClientKeyGrain>(identity.KeyId).GetQuotaAsync());
        }

        return result;
    }
}
