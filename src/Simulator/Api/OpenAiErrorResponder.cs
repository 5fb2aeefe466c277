using System.Globalization;
using ImageOrleans.Simulator.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Simulator.Api;

/// <summary>The one place refusals leave the simulator: counts them, sets retry headers and writes OpenAI's error body.</summary>
internal static class OpenAiErrorResponder
{
    public static Task WriteAsync(HttpContext context, SimulatorError error, SimulatorStats? stats = null, SimulatedKeyState? key = null, ILogger? logger = null)
    {
        if (error.Counter is { } counter)
        {
            stats?.Add(key?.Counters, counter);
        }

        if (logger is not null)
        {
            SimulatorLog.Refused(logger, key?.MaskedKey ?? "(unknown)", error.StatusCode, error.Code);
        }

        var response = context.Response;
        response.StatusCode = error.StatusCode;
        if (error.RetryAfter is { } retryAfter)
        {
            var milliseconds = Math.Max(1, (retryAfter.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
            var seconds = Math.Max(1, (milliseconds + 999) / 1000);
            response.Headers["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture);
            response.Headers["retry-after-ms"] = milliseconds.ToString(CultureInfo.InvariantCulture);
        }

        var body = new ErrorEnvelope(new ErrorBody(error.Message, error.Type, error.Param, error.Code));
        return response.WriteAsJsonAsync(body, SimulatorJsonContext.Default.ErrorEnvelope, contentType: null, context.RequestAborted);
    }
}
