using ImageOrleans.Silo.Api;

namespace ImageOrleans.Silo.Admin;

/// <summary>
/// Requires the admin key on every dashboard route, as a bearer token or as the password of HTTP
/// Basic authentication, so a browser asks for it. Never in the URL: links end up in logs and history.
/// </summary>
public sealed class DashboardAuthenticationFilter(AdminAuthenticationFilter admin) : IEndpointFilter
{
    public const string Challenge = "Basic realm=\"ImageOrleans dashboard\", charset=\"UTF-8\"";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (admin.Check(http.Request, allowBasic: true) is not { } error)
        {
            return await next(context);
        }

        if (error.Status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = Challenge;
        }

        return OpenAIErrors.Result(error);
    }
}
