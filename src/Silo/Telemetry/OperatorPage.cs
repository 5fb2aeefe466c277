using System.Reflection;

namespace ImageOrleans.Silo.Telemetry;

/// <summary>
/// The operator page: three static files embedded in the silo, no build step. They hold no secret;
/// the page asks for the admin key and sends it to the admin API like any other admin client.
/// </summary>
public static class OperatorPage
{
    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        ("/ui", "index.html", "text/html; charset=utf-8"),
        ("/ui/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/ui/app.css", "app.css", "text/css; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapOperatorPage(this IEndpointRouteBuilder routes)
    {
        var assembly = typeof(OperatorPage).Assembly;
        foreach (var (route, resource, contentType) in Files)
        {
            var bytes = Read(assembly, resource);
            routes.MapGet(route, (HttpContext http) =>
                {
                    var headers = http.Response.Headers;
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = "DENY";
                    headers.CacheControl = "no-store";
                    headers.ContentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'";
                    headers["Referrer-Policy"] = "no-referrer";
                    return Results.Bytes(bytes, contentType);
                })
                .ExcludeFromDescription();
        }

        return routes;
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream("ImageOrleans.Silo.Ui." + name)
            ?? throw new InvalidOperationException($"The operator page file {name} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
