using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// Reads a streaming upstream answer (Server-Sent Events): every event goes on to the front door through
/// the <see cref="StreamRelay"/> exactly as sent, and the completed events become the attempt's images,
/// usage and produced settings, so storing, caching and settling work as for any answer. A failure
/// before any event was relayed is an ordinary failed attempt (retried elsewhere); after one, the
/// client is told at once with an <c>error</c> event in OpenAI's shape.
/// </summary>
public static class UpstreamStreamReader
{
    public static async Task<UpstreamResult> ReadAsync(
        Stream body, ImageRequest request, StreamRelay relay, RateLimitInfo rateLimits, Func<TimeSpan> elapsed, CancellationToken cancellationToken)
    {
        var images = new List<UpstreamImage>();
        ImageUsage? usage = null;
        ProducedSettings? produced = null;
        long? created = null;
        var relayed = 0;
        using var reader = new StreamReader(body, Encoding.UTF8);
        string? type = null;
        var data = new StringBuilder();
        try
        {
            while (true)
            {
                var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null || line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        var streamEvent = new RelayedEvent(type ?? TypeOf(data.ToString()) ?? "message", data.ToString());
                        if (streamEvent.Type == RelayedEvent.ErrorType)
                        {
                            return Failed(OutcomeKind.ServerError, "the upstream sent an error event mid-stream", relayed, request, relay, rateLimits, elapsed, streamEvent);
                        }

                        if (streamEvent.IsCompleted && !TryReadCompleted(streamEvent.Data, images, ref usage, ref produced, ref created))
                        {
                            return Failed(OutcomeKind.MalformedResponse, "the upstream sent a completed event without an image", relayed, request, relay, rateLimits, elapsed);
                        }

                        if (relay.Publish(request.StreamId, streamEvent))
                        {
                            relayed++;
                        }
                    }

                    type = null;
                    data.Clear();
                    if (line is null)
                    {
                        break;
                    }

                    continue;
                }

                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(data.Length > 0 ? "\n" : string.Empty).Append(line.AsSpan(5).TrimStart(' '));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return Failed(OutcomeKind.ConnectionFailed, "the upstream's stream broke off", relayed, request, relay, rateLimits, elapsed);
        }

        return images.Count == 0
            ? Failed(OutcomeKind.MalformedResponse, "the upstream's stream ended without a completed image", relayed, request, relay, rateLimits, elapsed)
            : new UpstreamResult
            {
                Kind = OutcomeKind.Success,
                StatusCode = 200,
                Images = images,
                Created = created,
                Usage = usage,
                Produced = produced,
                RateLimits = rateLimits,
                Latency = elapsed(),
            };
    }

    private static UpstreamResult Failed(
        OutcomeKind kind, string detail, int relayed, ImageRequest request, StreamRelay relay, RateLimitInfo rateLimits, Func<TimeSpan> elapsed, RelayedEvent? upstreamError = null)
    {
        if (relayed > 0)
        {
            // The client already holds partial images: tell it now, in OpenAI's shape.
            relay.Publish(request.StreamId, upstreamError ?? new RelayedEvent(RelayedEvent.ErrorType,
                """{"type":"error","error":{"message":"The upstream failed while streaming the image; no image was completed. Retry the request.","type":"server_error","param":null,"code":"upstream_stream_failed"}}"""));
        }

        return new UpstreamResult { Kind = kind, StatusCode = 200, RateLimits = rateLimits, Latency = elapsed(), Detail = detail };
    }

    private static string? TypeOf(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryReadCompleted(string data, List<UpstreamImage> images, ref ImageUsage? usage, ref ProducedSettings? produced, ref long? created)
    {
        // The completed event has the shape of one entry of a non-streamed answer plus its settings and usage.
        var wrapped = Encoding.UTF8.GetBytes($"{{\"data\":[{data}]}}");
        if (!UpstreamResponseParser.TryParseSuccess(wrapped, out var parsed, out _, out _, out _))
        {
            return false;
        }

        images.AddRange(parsed);
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        produced ??= UpstreamResponseParser.Produced(root);
        if (root.TryGetProperty("created_at", out var at) && at.ValueKind == JsonValueKind.Number && at.TryGetInt64(out var seconds))
        {
            created ??= seconds;
        }

        if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            var withUsage = Encoding.UTF8.GetBytes($"{{\"data\":[{data}],\"usage\":{u.GetRawText()}}}");
            if (UpstreamResponseParser.TryParseSuccess(withUsage, out _, out _, out var read))
            {
                usage = read;
            }
        }

        return true;
    }
}
