using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using ImageOrleans.Simulator.Engine;
using ImageOrleans.Simulator.Imaging;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Simulator.Api;

/// <summary>
/// Serves one image generation request in OpenAI's order: authenticate, check quota and concurrency,
/// validate, check the model, charge the rate limits, then wait the simulated latency and either
/// inject the drawn fault or answer with images.
/// </summary>
internal sealed class ImageGenerationHandler(
    SimulatorEngine engine, LinkGenerator links, EditLog edits, IOptions<SimulatorOptions> options, ILogger<ImageGenerationHandler> logger)
{
    public const string ImageEndpointName = "ImageSimulator.GetImage";

    private const int MaxBodyBytes = 1 << 20;
    private const int MaxPromptLength = 32_000;
    private const int MaxImages = 10;

    public async Task HandleAsync(HttpContext context, string? deployment, ImageEndpoint endpoint = ImageEndpoint.Generations)
    {
        var stats = engine.Stats;
        context.Response.Headers["x-request-id"] = "req_" + Guid.NewGuid().ToString("N");
        stats.Add(null, SimulatorCounter.Requests);

        var apiKey = ApiKeyReader.Read(context.Request, allowAzureHeader: deployment is not null);
        if (apiKey is null)
        {
            await RejectAsync(context, null, OpenAiErrors.MissingApiKey());
            return;
        }

        var key = engine.FindKey(apiKey);
        if (key is null)
        {
            await RejectAsync(context, null, OpenAiErrors.IncorrectApiKey(KeyMask.Mask(apiKey)));
            return;
        }

        key.Counters.Add(SimulatorCounter.Requests);
        var config = key.Config;
        if (config.Revoked)
        {
            await RejectAsync(context, key, OpenAiErrors.IncorrectApiKey(key.MaskedKey));
            return;
        }

        var started = engine.Time.GetTimestamp();
        context.Response.OnStarting(WriteResponseHeaders, (context, key, engine, started));

        if (config.InsufficientQuota)
        {
            await RejectAsync(context, key, OpenAiErrors.InsufficientQuota());
            return;
        }

        if (!key.TryEnter())
        {
            await RejectAsync(context, key, OpenAiErrors.TooManyConcurrentRequests(config.MaxConcurrency));
            return;
        }

        stats.EnterFlight(key.Counters);
        try
        {
            await HandleAdmittedAsync(context, key, config, deployment, endpoint);
        }
        finally
        {
            stats.ExitFlight(key.Counters);
            key.Exit();
        }
    }

    private async Task HandleAdmittedAsync(HttpContext context, SimulatedKeyState key, SimulatedKey config, string? deployment, ImageEndpoint endpoint)
    {
        if (deployment is not null && string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            await RejectAsync(context, key, OpenAiErrors.MissingParameter("api-version"));
            return;
        }

        ImageGenerationRequest? request;
        SimulatorError? readError;
        ReceivedEdit? edit = null;
        if (endpoint == ImageEndpoint.Generations)
        {
            (request, readError) = await ReadRequestAsync(context);
        }
        else
        {
            (request, edit, readError) = await ReadFormAsync(context, endpoint, key.MaskedKey);
        }

        if (edit is not null)
        {
            edits.Add(edit);
        }

        if (request is null)
        {
            if (readError is null)
            {
                CountAborted(key);
            }
            else
            {
                await RejectAsync(context, key, readError);
            }

            return;
        }

        if (Validate(request) is { } invalid)
        {
            await RejectAsync(context, key, invalid);
            return;
        }

        var model = string.IsNullOrWhiteSpace(request.Model) ? deployment ?? ModelCatalog.DefaultModel : request.Model;
        if (config.Models is { Count: > 0 } served && !served.Contains(model, StringComparer.Ordinal))
        {
            await RejectAsync(context, key, OpenAiErrors.ModelNotFound(model));
            return;
        }

        if (config.ForbiddenModels.Contains(model, StringComparer.Ordinal))
        {
            await RejectAsync(context, key, OpenAiErrors.ModelForbidden(model));
            return;
        }

        var n = request.N ?? 1;
        var decision = key.TryAcquire(n, engine.Time.GetTimestamp());
        if (!decision.Allowed)
        {
            await RejectAsync(context, key, OpenAiErrors.RateLimited(model, decision));
            return;
        }

        var faults = config.Faults ?? engine.Faults;
        var plan = engine.Plan(faults);
        if (plan.Fault == FaultKind.Timeout)
        {
            engine.Stats.Add(key.Counters, SimulatorCounter.FaultsTimeout);
            SimulatorLog.FaultInjected(logger, plan.Fault, key.MaskedKey);
            await WaitAsync(context, TimeSpan.FromMilliseconds(faults.HangMs));
            context.Abort();
            return;
        }

        if (plan.Latency > TimeSpan.Zero && !await WaitAsync(context, plan.Latency))
        {
            CountAborted(key);
            context.Abort();
            return;
        }

        switch (plan.Fault)
        {
            case FaultKind.ServerError:
                SimulatorLog.FaultInjected(logger, plan.Fault, key.MaskedKey);
                await RejectAsync(context, key, OpenAiErrors.ServerError());
                return;
            case FaultKind.Reset:
                engine.Stats.Add(key.Counters, SimulatorCounter.FaultsReset);
                SimulatorLog.FaultInjected(logger, plan.Fault, key.MaskedKey);
                context.Abort();
                return;
            case FaultKind.Malformed:
                engine.Stats.Add(key.Counters, SimulatorCounter.FaultsMalformed);
                SimulatorLog.FaultInjected(logger, plan.Fault, key.MaskedKey);
                await WriteMalformedAsync(context);
                return;
        }

        var keyword = engine.ContentPolicyKeyword;
        if (keyword.Length > 0 && request.Prompt!.Contains(keyword, StringComparison.OrdinalIgnoreCase))
        {
            await RejectAsync(context, key, OpenAiErrors.ContentPolicyViolation());
            return;
        }

        if (request.Stream == true)
        {
            await StreamAsync(context, key, request, model, n, endpoint, edit?.Images.Count ?? 0);
            return;
        }

        var response = BuildResponse(context, request, model, n, edit?.Images.Count ?? 0);
        switch (plan.Fault)
        {
            case FaultKind.Truncated:
                engine.Stats.Add(key.Counters, SimulatorCounter.FaultsTruncated);
                SimulatorLog.FaultInjected(logger, plan.Fault, key.MaskedKey);
                await WriteTruncatedAsync(context, response);
                return;
            case FaultKind.SlowBody:
                engine.Stats.Add(key.Counters, SimulatorCounter.FaultsSlowBody);
                SimulatorLog.FaultInjected(logger, plan.Fault, key.MaskedKey);
                await WriteSlowlyAsync(context, response, faults.SlowBodyBytesPerSecond);
                return;
        }

        engine.Stats.Add(key.Counters, SimulatorCounter.Served);
        engine.Stats.Add(key.Counters, SimulatorCounter.Images, n);
        await context.Response.WriteAsJsonAsync(response, SimulatorJsonContext.Default.ImageGenerationResponse, contentType: null, context.RequestAborted);
    }

    // The whole answer announced, half of it sent, then the connection dropped: like a proxy or a
    // load balancer that died mid-body after the upstream had finished (and billed) the work.
    private static async Task WriteTruncatedAsync(HttpContext context, ImageGenerationResponse response)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(response, SimulatorJsonContext.Default.ImageGenerationResponse);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        try
        {
            await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);

            // A clean end of the stream (FIN) after what was sent: an abort alone resets the connection,
            // and a reset may make the client drop the headers it had not read yet. Flushing hands the
            // bytes to the transport, which writes them a moment later; the pause is for TCP, not the
            // simulated clock.
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, context.RequestAborted);
            context.Features.Get<IConnectionSocketFeature>()?.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client left already; the abort below ends the rest either way.
        }

        context.Abort();
    }

    // Headers at once, then the body a few bytes a second: the connection looks alive the whole time.
    private async Task WriteSlowlyAsync(HttpContext context, ImageGenerationResponse response, int bytesPerSecond)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(response, SimulatorJsonContext.Default.ImageGenerationResponse);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        try
        {
            await context.Response.StartAsync(context.RequestAborted);
            for (var sent = 0; sent < body.Length; sent += bytesPerSecond)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(sent, Math.Min(bytesPerSecond, body.Length - sent)), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                if (!await WaitAsync(context, TimeSpan.FromSeconds(1)))
                {
                    context.Abort();
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            context.Abort();
        }
    }

    private static async Task<(ImageGenerationRequest? Request, SimulatorError? Error)> ReadRequestAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            var request = await JsonSerializer.DeserializeAsync(
                context.Request.Body, SimulatorJsonContext.Default.ImageGenerationRequest, context.RequestAborted);
            return (request, request is null ? OpenAiErrors.InvalidJson() : null);
        }
        catch (JsonException)
        {
            return (null, OpenAiErrors.InvalidJson());
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, OpenAiErrors.BodyTooLarge(MaxBodyBytes));
        }
        catch (BadHttpRequestException)
        {
            return (null, OpenAiErrors.InvalidJson());
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away mid-body: nobody is left to answer.
            return (null, null);
        }
    }

    private static SimulatorError? Validate(ImageGenerationRequest request)
    {
        if (request.Prompt is null)
        {
            return OpenAiErrors.MissingParameter("prompt");
        }

        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            return OpenAiErrors.EmptyPrompt();
        }

        if (request.Prompt.Length > MaxPromptLength)
        {
            return OpenAiErrors.PromptTooLong(MaxPromptLength, request.Prompt.Length);
        }

        if (request.N is { } n and (< 1 or > MaxImages))
        {
            return OpenAiErrors.InvalidImageCount(n, 1, MaxImages);
        }

        if (request.ResponseFormat is { } format and not ("url" or "b64_json"))
        {
            return OpenAiErrors.InvalidValue("response_format", format, "'url' and 'b64_json'");
        }

        return null;
    }

    /// <summary>
    /// Server-Sent Events as OpenAI sends them: <c>partial_images</c> partial events, then one completed
    /// event per image with the usage, each after the configured pause; cut after the first event when
    /// the prompt asks for a mid-stream failure.
    /// </summary>
    private async Task StreamAsync(HttpContext context, SimulatedKeyState key, ImageGenerationRequest request, string model, int n, ImageEndpoint endpoint, int inputImages)
    {
        var prefix = endpoint == ImageEndpoint.Generations ? "image_generation" : "image_edit";
        var image = options.Value.Image;
        request.ResponseFormat = "b64_json";
        var response = BuildResponse(context, request, model, n, inputImages);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var fail = image.FailMidStreamKeyword.Length > 0 && request.Prompt!.Contains(image.FailMidStreamKeyword, StringComparison.Ordinal);
        var partials = Math.Clamp(request.PartialImages ?? 0, 0, 3);
        var sent = 0;
        for (var i = 0; i < partials + n; i++)
        {
            if (!await WaitAsync(context, TimeSpan.FromMilliseconds(image.StreamIntervalMs)))
            {
                CountAborted(key);
                return;
            }

            if (fail && sent > 0)
            {
                context.Abort();
                return;
            }

            var partial = i < partials;
            var seed = SyntheticImage.Seed(request.Prompt!, request.Size, partial ? 1000 + i : i - partials);
            var streamEvent = new ImageStreamEvent
            {
                Type = $"{prefix}.{(partial ? "partial_image" : "completed")}",
                B64Json = partial ? SyntheticImage.RenderPng(seed, engine.ImageWidth, engine.ImageHeight) : response.Data[i - partials].B64Json!,
                CreatedAt = response.Created,
                Size = response.Size,
                Quality = response.Quality,
                Background = response.Background,
                OutputFormat = response.OutputFormat,
                PartialImageIndex = partial ? i : null,
                Usage = partial ? null : response.Usage,
            };
            await context.Response.WriteAsync($"event: {streamEvent.Type}\ndata: ", context.RequestAborted);
            await JsonSerializer.SerializeAsync(context.Response.Body, streamEvent, SimulatorJsonContext.Default.ImageStreamEvent, context.RequestAborted);
            await context.Response.WriteAsync("\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            sent++;
        }

        engine.Stats.Add(key.Counters, SimulatorCounter.Served);
        engine.Stats.Add(key.Counters, SimulatorCounter.Images, n);
    }

    private static async Task<(ImageGenerationRequest? Request, ReceivedEdit? Edit, SimulatorError? Error)> ReadFormAsync(
        HttpContext context, ImageEndpoint endpoint, string maskedKey)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            // Up to 16 images of 50 MB each, as OpenAI documents; the parts are hashed, never held.
            bodySize.MaxRequestBodySize = 1L << 30;
        }

        try
        {
            return await MultipartImageReader.ReadAsync(context, endpoint, maskedKey);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return (null, null, OpenAiErrors.InvalidJson() with { Message = "We could not parse the multipart body of your request." });
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return (null, null, null);
        }
    }

    private ImageGenerationResponse BuildResponse(HttpContext context, ImageGenerationRequest request, string model, int n, int inputImages)
    {
        var prompt = request.Prompt!;
        var asUrl = request.ResponseFormat == "url";
        var revisedPrompt = ModelCatalog.IsDallE3(model) ? RevisePrompt(prompt, request.Style) : null;
        var data = new GeneratedImage[n];
        for (var i = 0; i < n; i++)
        {
            var seed = SyntheticImage.Seed(prompt, request.Size, i);
            data[i] = asUrl
                ? new GeneratedImage { Url = ImageUrl(context, seed), RevisedPrompt = revisedPrompt }
                : new GeneratedImage { B64Json = SyntheticImage.RenderPng(seed, engine.ImageWidth, engine.ImageHeight), RevisedPrompt = revisedPrompt };
        }

        var created = engine.Time.GetUtcNow().ToUnixTimeSeconds();
        if (!ModelCatalog.IsGptImage(model))
        {
            return new ImageGenerationResponse { Created = created, Data = data };
        }

        var quality = request.Quality is null or "auto" ? "medium" : request.Quality;
        return new ImageGenerationResponse
        {
            Created = created,
            Data = data,
            Background = request.Background is null or "auto" ? "opaque" : request.Background,
            OutputFormat = "png", // the bytes are PNG whatever was asked, and the echo says what was sent
            Quality = quality,
            Size = request.Size is null or "auto" ? "1024x1024" : request.Size,
            Usage = Usage(prompt, request.Quality, n, inputImages),
        };
    }

    private static ImageUsage Usage(string prompt, string? quality, int n, int inputImages)
    {
        // An input image costs image input tokens; 388 is what a 1024x1024 image takes at low fidelity.
        long imageInput = 388L * inputImages;
        long input = (prompt.Length + 3) / 4;
        long perImage = quality switch
        {
            "low" => 272,
            "high" => 4160,
            _ => 1056,
        };
        var output = perImage * n;
        return new ImageUsage(input + imageInput + output, input + imageInput, output, new InputTokensDetails(input, imageInput));
    }

    private static string RevisePrompt(string prompt, string? style) =>
        style == "natural"
            ? $"A natural, realistic depiction of the following: {prompt}"
            : $"A vivid, highly detailed illustration of the following: {prompt}";

    private string ImageUrl(HttpContext context, ulong seed) =>
        links.GetUriByName(context, ImageEndpointName, new RouteValueDictionary { ["id"] = seed.ToString("x16", CultureInfo.InvariantCulture) })
        ?? throw new InvalidOperationException($"The {ImageEndpointName} endpoint is not mapped.");

    // 200 with JSON that stops mid-string, like a proxy that cut the body short.
    private static Task WriteMalformedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{\"created\": 1700000000, \"data\": [{\"b64_json\": \"iVBORw0KGgoAAAANSUhEUgAA", context.RequestAborted);
    }

    /// <summary>Waits on the simulator's clock; false when the client or the host gave up first.</summary>
    private async Task<bool> WaitAsync(HttpContext context, TimeSpan delay)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, engine.Stopping);
        try
        {
            await Task.Delay(delay, engine.Time, cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void CountAborted(SimulatedKeyState key)
    {
        engine.Stats.Add(key.Counters, SimulatorCounter.Aborted);
        SimulatorLog.ClientAborted(logger, key.MaskedKey);
    }

    private Task RejectAsync(HttpContext context, SimulatedKeyState? key, SimulatorError error) =>
        OpenAiErrorResponder.WriteAsync(context, error, engine.Stats, key, logger);

    private static Task WriteResponseHeaders(object state)
    {
        var (context, key, engine, started) = ((HttpContext, SimulatedKeyState, SimulatorEngine, long))state;
        var headers = context.Response.Headers;
        var elapsed = engine.Time.GetElapsedTime(started);
        headers["openai-processing-ms"] = ((long)elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        headers["openai-version"] = "2020-10-01";
        if (engine.AdvertiseLimits)
        {
            RateLimitHeaders.Write(headers, key.GetStatus(engine.Time.GetTimestamp()));
        }

        return Task.CompletedTask;
    }
}
