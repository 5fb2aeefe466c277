using System.Globalization;
using ImageOrleans.Grains.Models;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// Tells the client which model ran (<c>x-imageorleans-model</c>) and, for a deprecated or aliased name,
/// that it should move: <c>Deprecation</c> (RFC 9745, the shutdown date), the name it asked for and the
/// provider's successor.
/// </summary>
public static class ModelHeaders
{
    public const string Model = "x-imageorleans-model";
    public const string RequestedModel = "x-imageorleans-requested-model";
    public const string Successor = "x-imageorleans-model-successor";
    public const string Deprecation = "Deprecation";

    public static void Write(HttpResponse response, string? ran, ModelResolution? resolution, TimeProvider time)
    {
        if ((ran ?? resolution?.Model) is not { } model)
        {
            return;
        }

        response.Headers[Model] = model;
        if (resolution is not { Deprecated: true })
        {
            return;
        }

        var since = resolution.ShutdownDate is { } shutdown
            ? new DateTimeOffset(shutdown.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : time.GetUtcNow();
        response.Headers[Deprecation] = string.Create(CultureInfo.InvariantCulture, $"@{since.ToUnixTimeSeconds()}");
        response.Headers[RequestedModel] = resolution.Requested;
        if (resolution.Successor is { } successor)
        {
            response.Headers[Successor] = successor;
        }
    }
}
