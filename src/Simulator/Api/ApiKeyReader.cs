using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ImageOrleans.Simulator.Api;

/// <summary>Finds the API key: "Authorization: Bearer" for OpenAI, and also "api-key" on Azure-style routes.</summary>
internal static class ApiKeyReader
{
    public static string? Read(HttpRequest request, bool allowAzureHeader)
    {
        if (allowAzureHeader && request.Headers.TryGetValue("api-key", out var azureKey) && !string.IsNullOrWhiteSpace(azureKey))
        {
            return azureKey.ToString().Trim();
        }

        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        const string Scheme = "Bearer ";
        if (authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[Scheme.Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        return null;
    }
}
