using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Silo.Pipeline;
using ImageOrleans.Silo.Telemetry;
using Microsoft.Net.Http.Headers;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// Answers <c>stream: true</c> with Server-Sent Events. The request is admitted and waits for capacity
/// before anything is written, so a refusal or a queue timeout is an ordinary JSON error; the stream
/// opens with the first event the upstream sends, and every event is passed on as the upstream sent it.
/// A failure once streaming is an <c>error</c> event in OpenAI's shape. A client that hangs up cancels
/// the call, which cancels the upstream attempt and returns its lease. An upstream that answers without
/// streaming (or a model that does not) still ends with a completed event built from its images.
/// </summary>
public sealed class ImageStreamWriter(GenerationPipeline pipeline, StreamRelay relay, TimeProvider time)
{
    public async Task<IResult> RunAsync(HttpContext http, GenerationCall call, string eventPrefix, Func<GenerationOutcome, IResult> answer)
    {
        using var subscription = relay.Subscribe(Guid.NewGuid().ToString("N"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        GenerationOutcome? admitted = null;
        var run = pipeline.RunAsync(call with { StreamId = subscription.StreamId, OnAdmitted = outcome => admitted = outcome }, cancel.Token);
        var started = false;
        var completed = 0;
        try
        {
            var reader = subscription.Reader;
            while (!run.IsCompleted)
            {
                var ready = reader.WaitToReadAsync(cancel.Token).AsTask();
                if (await Task.WhenAny(ready, run) == run)
                {
                    break;
                }

                while (reader.TryRead(out var streamEvent))
                {
                    started = await StartAsync(http, admitted, started);
                    await WriteAsync(http, streamEvent.Type, streamEvent.Data);
                    completed += streamEvent.IsCompleted ? 1 : 0;
                    if (streamEvent.Type == RelayedEvent.ErrorType)
                    {
                        // The upstream failed mid-stream: the client has its answer; stop the call here.
                        await cancel.CancelAsync();
                        await Task.WhenAny(run);
                        return Results.Empty;
                    }
                }
            }

            var outcome = await run;
            http.Features.Get<RequestRecord>()?.Completed(outcome);
            while (reader.TryRead(out var late))
            {
                started = await StartAsync(http, admitted, started);
                await WriteAsync(http, late.Type, late.Data);
                completed += late.IsCompleted ? 1 : 0;
            }

            if (outcome.Error is { } error)
            {
                if (!started)
                {
                    return answer(outcome);
                }

                await WriteAsync(http, RelayedEvent.ErrorType, ErrorData(error));
                return Results.Empty;
            }

            if (completed == 0)
            {
                // No events came through (a cache hit, or an upstream that does not stream): one completed event per image.
                if (!started && outcome.Cache is { } cache)
                {
                    http.Response.Headers[ImageGenerationHandler.CacheHeader] = cache.ToString().ToLowerInvariant();
                }

                started = await StartAsync(http, admitted ?? outcome, started);
                for (var i = 0; i < outcome.Result!.Images.Count; i++)
                {
                    await WriteAsync(http, $"{eventPrefix}.completed", CompletedData(eventPrefix, outcome, i));
                }
            }

            return Results.Empty;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client hung up: the cancelled call already cancelled the upstream attempt.
            return Results.Empty;
        }
    }

    private async Task<bool> StartAsync(HttpContext http, GenerationOutcome? admitted, bool started)
    {
        if (started)
        {
            return true;
        }

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers[HeaderNames.CacheControl] = "no-cache";

        // Proxies that buffer would hold the partial images back until the end.
        response.Headers["X-Accel-Buffering"] = "no";
        ModelHeaders.Write(response, admitted?.Request?.Model, admitted?.Model, time);
        if (admitted?.Quota is { } quota)
        {
            QuotaHeaderWriter.Write(response, quota);
        }

        await response.StartAsync(http.RequestAborted);
        return true;
    }

    private static async Task WriteAsync(HttpContext http, string type, string data)
    {
        var response = http.Response;
        await response.WriteAsync($"event: {type}\ndata: ", http.RequestAborted);
        await response.WriteAsync(data, http.RequestAborted);
        await response.WriteAsync("\n\n", http.RequestAborted);
        await response.Body.FlushAsync(http.RequestAborted);
    }

    private static string ErrorData(GatewayError error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "error");
            json.WriteStartObject("error");
            json.WriteString("message", error.Message);
            json.WriteString("type", error.Type);
            json.WriteString("param", error.Param);
            json.WriteString("code", error.Code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string CompletedData(string prefix, GenerationOutcome outcome, int index)
    {
        var result = outcome.Result!;
        var request = outcome.Request!;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", $"{prefix}.completed");
            json.WriteBase64String("b64_json", outcome.Contents![index].Span);
            json.WriteNumber("created_at", result.Created);
            WriteIfSet(json, "size", result.Produced?.Size ?? (request.Size is "auto" ? null : request.Size));
            WriteIfSet(json, "quality", result.Produced?.Quality ?? (request.Quality is "auto" ? null : request.Quality));
            WriteIfSet(json, "background", result.Produced?.Background ?? (request.Background is "auto" ? null : request.Background));
            WriteIfSet(json, "output_format", result.Produced?.OutputFormat ?? request.OutputFormat);
            if (result.Usage is { } usage)
            {
                json.WritePropertyName("usage");
                json.WriteRawValue(usage.Json, skipInputValidation: true);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
