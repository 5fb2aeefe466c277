using System.Globalization;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Batches;
using ImageOrleans.Silo.Hosting;
using ImageOrleans.Silo.Pipeline;
using ImageOrleans.Silo.Telemetry;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// <c>POST /v1/images/generations</c>: read the body and the request headers, run the generation pipeline,
/// and answer in OpenAI's shape with the gateway's headers.
/// </summary>
public sealed class ImageGenerationHandler(
    GenerationPipeline pipeline, ImageStreamWriter streams, ImageLinks links, IOptions<FrontDoorOptions> frontDoor, TimeProvider time, BestOfRunner bestOf)
{
    public const string CacheHeader = "x-imageorleans-cache";
    public const string PriorityHeader = GenerationPipeline.PriorityOption;
    public const string TimeoutHeader = GenerationPipeline.TimeoutOption;
    public const string QueueWaitHeader = "x-imageorleans-queue-ms";
    public const string IdempotencyKeyHeader = GenerationPipeline.IdempotencyKeyOption;
    public const string ReplayedHeader = "x-imageorleans-idempotent-replayed";
    public const string DowngradedHeader = "x-imageorleans-downgraded";
    public const string CostBasisHeader = "x-imageorleans-cost-basis";

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var (body, bodyError) = await JsonBody.ReadAsync(http.Request, frontDoor.Value.MaxRequestBodyBytes);
        if (bodyError is not null)
        {
            return OpenAIErrors.Result(bodyError);
        }

        if (!ImageRequestParser.TryParse(body, out var input, out var parseError))
        {
            return OpenAIErrors.Result(parseError!);
        }

        if (BestOfHeaders.Read(http.Request.Headers, input!, bestOf.IsConfigured, out var asked) is { } bestOfError)
        {
            return OpenAIErrors.Result(bestOfError);
        }

        if (asked is not null)
        {
            var best = await bestOf.RunAsync(CallFrom(http, input!), asked, http.RequestAborted);
            http.Features.Get<RequestRecord>()?.Completed(best.Outcome);
            BestOfHeaders.Write(http.Response, best);
            return Answer(http, best.Outcome);
        }

        if (input!.Stream)
        {
            return await streams.RunAsync(http, CallFrom(http, input), "image_generation", outcome => Answer(http, outcome));
        }

        var outcome = await pipeline.RunAsync(CallFrom(http, input), http.RequestAborted);
        http.Features.Get<RequestRecord>()?.Completed(outcome);
        return Answer(http, outcome);
    }

    /// <summary>The pipeline call for <paramref name="input"/> with the request options the headers carry.</summary>
    public GenerationCall CallFrom(HttpContext http, ImageRequestInput input)
    {
        var headers = http.Request.Headers;
        return new GenerationCall
        {
            RequestId = http.TraceIdentifier,
            Client = http.GetClient(),
            Input = input,
            Priority = headers.TryGetValue(PriorityHeader, out var priority) ? priority.ToString() : null,
            TimeoutMs = headers.TryGetValue(TimeoutHeader, out var timeout) ? timeout.ToString() : null,
            IdempotencyKey = headers.TryGetValue(IdempotencyKeyHeader, out var key) ? key.ToString() : null,
            NoCache = IsNoCache(http.Request),
            OnAnswerSent = http.Response.RegisterForDispose,
        };
    }

    /// <summary>A streamed answer (<c>stream: true</c>) for <paramref name="call"/>, its events named with <paramref name="eventPrefix"/>.</summary>
    public Task<IResult> StreamAsync(HttpContext http, GenerationCall call, string eventPrefix) =>
        streams.RunAsync(http, call, eventPrefix, outcome => Answer(http, outcome));

    /// <summary>The answer in OpenAI's shape with the gateway's headers, for every Images endpoint.</summary>
    public IResult Answer(HttpContext http, GenerationOutcome outcome)
    {
        var response = http.Response;
        ModelHeaders.Write(response, outcome.Request?.Model, outcome.Model, time);
        if (outcome.Quota is { } quota)
        {
            QuotaHeaderWriter.Write(response, quota);
        }

        if (outcome.Downgraded is { } downgraded)
        {
            response.Headers[DowngradedHeader] = downgraded;
        }

        if (outcome.Replayed)
        {
            response.Headers[ReplayedHeader] = "true";
        }

        if (outcome.Cache is { } cache)
        {
            response.Headers[CacheHeader] = cache.ToString().ToLowerInvariant();
        }

        if (outcome.QueueWait > TimeSpan.Zero)
        {
            response.Headers[QueueWaitHeader] = ((long)outcome.QueueWait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        if (outcome.Error is { } error)
        {
            return OpenAIErrors.Result(error);
        }

        var result = outcome.Result!;
        if (result.CostBasis is { } basis && outcome.Cache is not (Grains.Dispatch.CacheStatus.Hit or Grains.Dispatch.CacheStatus.Coalesced))
        {
            response.Headers[CostBasisHeader] = basis;
        }

        var urls = outcome.Format == ResponseFormat.Url
            ? result.Images.Select(i => links.Create(http.Request, i.ImageId)).ToList()
            : null;
        return new ImagesResult(result, outcome.Request!, outcome.Contents, urls);
    }

    private static bool IsNoCache(HttpRequest request) =>
        request.Headers.CacheControl.Any(v => v is not null
            && (v.Contains("no-cache", StringComparison.OrdinalIgnoreCase) || v.Contains("no-store", StringComparison.OrdinalIgnoreCase)));
}
