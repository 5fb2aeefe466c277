using System.Globalization;
using System.Text.Json;
using ImageOrleans.Grains.Errors;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// The one place errors leave the gateway: <c>{"error":{"message","type","param","code"}}</c> with
/// the right status and, when the client should come back later, <c>Retry-After</c>.
/// </summary>
public static class OpenAIErrors
{
    public static IResult Result(GatewayError error) => new ErrorResult(error);

    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = error.Status;
        context.Features.Get<Telemetry.RequestRecord>()?.ErrorCode = error.Code ?? error.Type;
        if (error.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter, JsonOutput.WriterOptions);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", error.Message);
        json.WriteString("type", error.Type);
        WriteNullable(json, "param", error.Param);
        WriteNullable(json, "code", error.Code);
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private sealed class ErrorResult(GatewayError error) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => error.Status;

        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, error);
    }
}
