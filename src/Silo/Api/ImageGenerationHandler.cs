using System.Globalization;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Idempotency;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Telemetry;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Hosting;
using ImageOrleans.Silo.Telemetry;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// <c>POST /v1/images/generations</c>: read, validate, then ask the prompt cache (or, with
/// <c>Cache-Control: no-cache</c>, a dispatcher) for the images, and answer in OpenAI's shape.
/// </summary>
public sealed class ImageGenerationHandler(
    IGrainFactory grains,
    AccountDirectory directory,
    ImageRequestValidator validator,
    IImageStore store,
    ImageLinks links,
    IOptions<ImageOrleansOptions> root,
    IOptions<FrontDoorOptions> frontDoor,
    IOptions<CacheOptions> cache,
    IOptions<DispatchOptions> dispatch,
    CostCalculator costs,
    SettlementBook settlements,
    TimeProvider time)
{
    public const string CacheHeader = "x-imageorleans-cache";
    public const string PriorityHeader = "x-imageorleans-priority";
    public const string TimeoutHeader = "x-imageorleans-timeout-ms";
    public const string QueueWaitHeader = "x-imageorleans-queue-ms";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "x-imageorleans-idempotent-replayed";
    public const string DowngradedHeader = "x-imageorleans-downgraded";

    public async Task<IResult> HandleAsync(HttpContext http)
    {
        var client = http.GetClient();
        var (body, bodyError) = await JsonBody.ReadAsync(http.Request, frontDoor.Value.MaxRequestBodyBytes);
        if (bodyError is not null)
        {
            return OpenAIErrors.Result(bodyError);
        }

        if (!ImageRequestParser.TryParse(body, out var input, out var parseError))
        {
            return OpenAIErrors.Result(parseError!);
        }

        var served = await directory.GetServedModelsAsync();
        if (!validator.TryValidate(input, root.Value.DefaultModel, served, out var validated, out var invalid))
        {
            return OpenAIErrors.Result(invalid!);
        }

        http.Features.Get<RequestRecord>()?.Model = validated!.Request.Model;
        if (ReadPriority(http.Request, client, out var priorityError) is not { } priority)
        {
            return OpenAIErrors.Result(priorityError!);
        }

        http.Features.Get<RequestRecord>()?.Priority = priority;

        if (ReadTimeout(http.Request, client, out var timeoutError) is not { } waitLimit)
        {
            return OpenAIErrors.Result(timeoutError!);
        }

        if (!TryReadIdempotencyKey(http.Request, out var idempotencyKey, out var idempotencyError))
        {
            return OpenAIErrors.Result(idempotencyError!);
        }

        var now = time.GetUtcNow();
        var pool = await directory.GetAsync();
        var keyGrain = grains.GetGrain<IClientKeyGrain>(client.KeyId);
        var admission = await GatewayTelemetry.TraceAsync(GatewayTelemetry.Admission, () => WhileClusterHealsAsync(now + waitLimit,
            () => keyGrain.AdmitAsync(AdmissionFor(validated!.Request, pool, now + waitLimit)).AsTask(), http.RequestAborted));
        QuotaHeaderWriter.Write(http.Response, admission.Quota);
        if (admission.Error is { } refused)
        {
            return OpenAIErrors.Result(refused);
        }

        var request = validated!.Request;
        if (admission.DowngradedTo is { } lower)
        {
            http.Response.Headers[DowngradedHeader] = $"{request.Quality ?? "auto"}->{lower}";
            request = request with { Quality = lower };
        }

        var job = new GenerationJob
        {
            RequestId = http.TraceIdentifier,
            ClientKeyId = client.KeyId,
            Tenant = client.CacheScope,
            Priority = priority,
            Weight = client.Weight,
            Request = request,
            AcceptedAt = now,
            Deadline = now + waitLimit,
            ReservationId = admission.ReservationId,
        };

        // From here the grains settle the reservation, where the request's fate is decided; the front
        // door frees it only when the call to them failed before they could take it over.
        try
        {
            var bypass = !cache.Value.Enabled || client.Cache == CachePolicy.Off || IsNoCache(http.Request);
            return await RunAsync(http, client, job, validated, idempotencyKey, bypass);
        }
        catch (Exception) when (admission.ReservationId is { } reservation)
        {
            await settlements.ReleaseAsync(client.KeyId, reservation);
            throw;
        }
    }

    private async Task<IResult> RunAsync(
        HttpContext http, ClientIdentity client, GenerationJob job, ValidatedImageRequest validated, string? idempotencyKey, bool bypass)
    {
        var reply = idempotencyKey is null
            ? await GenerateAsync(job, bypass, http.RequestAborted)
            : await GenerateIdempotentlyAsync(http, client, idempotencyKey, job, bypass);

        var contents = reply.Result is { } result ? await ReadImagesAsync(result, validated.ResponseFormat, http.RequestAborted) : null;
        if (reply.Result is not null && contents is null && reply.Cache is CacheStatus.Hit or CacheStatus.Coalesced)
        {
            // The answer points at images the retention sweep removed: generate afresh rather than
            // hand out a dead link. A new upstream generation, so the key pays for it.
            await grains.GetGrain<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request)).InvalidateAsync();
            http.Response.Headers.Remove(ReplayedHeader);
            reply = await GenerateAsync(job with { ReservationId = null }, bypass, http.RequestAborted);
            contents = reply.Result is { } again ? await ReadImagesAsync(again, validated.ResponseFormat, http.RequestAborted) : null;
        }

        if (reply.Result is not null && contents is null)
        {
            return OpenAIErrors.Result(GatewayErrors.Internal(http.TraceIdentifier));
        }

        return Answer(http, reply, job.Request, validated.ResponseFormat, validated.ResponseFormat == ResponseFormat.Base64Json ? contents : null);
    }

    /// <summary>
    /// What the key is asked to reserve: the worst case at the requested quality, then at each cheaper
    /// one (for a downgrade policy), priced at the dearest account that serves the model.
    /// </summary>
    private AdmissionRequest AdmissionFor(ImageRequest request, PoolSnapshot pool, DateTimeOffset deadline)
    {
        var serving = pool.Accounts.Where(a => a.Enabled && a.Serves(request.Model)).ToList();
        var factor = serving.Count == 0 ? 1m : serving.Max(a => a.PriceFactor);
        var timeout = serving.Count == 0 ? TimeSpan.FromMinutes(2) : serving.Max(a => a.Timeout);
        List<CostOption> options = [new(request.Quality, costs.WorstCase(request, factor))];
        options.AddRange(costs.CheaperQualities(request).Select(q => new CostOption(q, costs.WorstCase(request with { Quality = q }, factor))));
        return new AdmissionRequest
        {
            Model = request.Model,
            Images = request.N,
            Options = options,

            // Past this, a reservation whose front door never settled it (a silo died) is released.
            ReservationExpires = deadline + (3 * timeout) + TimeSpan.FromMinutes(1),
        };
    }

    private IResult Answer(HttpContext http, GenerationReply reply, ImageRequest request, ResponseFormat format, IReadOnlyList<byte[]>? contents)
    {
        http.Features.Get<RequestRecord>()?.Replied(reply);
        http.Response.Headers[CacheHeader] = reply.Cache.ToString().ToLowerInvariant();
        if (reply.QueueWait > TimeSpan.Zero)
        {
            http.Response.Headers[QueueWaitHeader] = ((long)reply.QueueWait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        if (reply.Error is { } error)
        {
            return OpenAIErrors.Result(error);
        }

        var result = reply.Result!;
        var urls = format == ResponseFormat.Url
            ? result.Images.Select(i => links.Create(http.Request, i.ImageId)).ToList()
            : null;
        return new ImagesResult(result, request, contents, urls);
    }

    private async Task<GenerationReply> GenerateIdempotentlyAsync(
        HttpContext http, ClientIdentity client, string key, GenerationJob job, bool bypassCache)
    {
        var grain = grains.GetGrain<IIdempotencyGrain>($"{client.KeyId}/{key}");
        var fingerprint = CacheKey.For(client.Tenant, job.Request);
        var reply = await WhileClusterHealsAsync(job.Deadline, () => grain.RunAsync(fingerprint, job, bypassCache, http.RequestAborted), http.RequestAborted);
        if (reply.Replayed)
        {
            http.Response.Headers[ReplayedHeader] = "true";
        }

        return reply.Reply;
    }

    private static bool TryReadIdempotencyKey(HttpRequest request, out string? key, out GatewayError? error)
    {
        key = null;
        error = null;
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return true;
        }

        var value = values.ToString();
        if (value.Length is 0 or > 255 || value.Any(c => c is < '!' or > '~'))
        {
            error = GatewayErrors.Invalid(IdempotencyKeyHeader, $"Invalid '{IdempotencyKeyHeader}' header: use 1 to 255 visible ASCII characters, for example a UUID.");
            return false;
        }

        key = value;
        return true;
    }

    private Task<GenerationReply> GenerateAsync(GenerationJob job, bool bypassCache, CancellationToken cancellationToken) =>
        WhileClusterHealsAsync(job.Deadline, () => SendAsync(job, bypassCache, cancellationToken), cancellationToken);

    /// <summary>
    /// Runs a grain call, and runs it again while a silo that just died still owns part of the grain
    /// directory: until the cluster declares it dead (seconds), new activations there cannot be
    /// placed. Bounded by the request's deadline; after that the caller gets 503 with Retry-After.
    /// </summary>
    private async Task<T> WhileClusterHealsAsync<T>(DateTimeOffset deadline, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (ex is SiloUnavailableException or OrleansMessageRejectionException
                                       && time.GetUtcNow() + delay < deadline && delay <= TimeSpan.FromSeconds(8))
            {
                await Task.Delay(delay, time, cancellationToken);
                delay *= 2;
            }
        }
    }

    private Task<GenerationReply> SendAsync(GenerationJob job, bool bypassCache, CancellationToken cancellationToken) =>
        bypassCache
            ? GatewayTelemetry.TraceAsync(GatewayTelemetry.Dispatch, () => BypassAsync(job, cancellationToken))
            : GatewayTelemetry.TraceAsync(GatewayTelemetry.Cache, () => grains.GetGrain<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request)).GetOrGenerateAsync(job, cancellationToken));

    private async Task<GenerationReply> BypassAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        var reply = await grains.GetGrain<IDispatcherGrain>(0).GenerateAsync(job, cancellationToken);
        return reply with { Cache = CacheStatus.Bypass };
    }

    /// <summary>
    /// The images' bytes for a <c>b64_json</c> answer; for a <c>url</c> answer only whether they are
    /// all still stored (an empty list). Null when one is gone.
    /// </summary>
    private async Task<IReadOnlyList<byte[]>?> ReadImagesAsync(GenerationResult result, ResponseFormat format, CancellationToken cancellationToken)
    {
        if (format != ResponseFormat.Base64Json)
        {
            foreach (var image in result.Images)
            {
                if (!await store.ExistsAsync(image.ImageId, cancellationToken))
                {
                    return null;
                }
            }

            return [];
        }

        var contents = new byte[result.Images.Count][];
        for (var i = 0; i < contents.Length; i++)
        {
            if (await store.ReadAsync(result.Images[i].ImageId, cancellationToken) is not { } bytes)
            {
                return null;
            }

            contents[i] = bytes;
        }

        return contents;
    }

    /// <summary>The key's tier, or the header's class when the key may use it (lowering is always allowed).</summary>
    private static RequestPriority? ReadPriority(HttpRequest request, ClientIdentity client, out GatewayError? error)
    {
        error = null;
        var header = request.Headers[PriorityHeader].ToString().Trim().ToLowerInvariant();
        RequestPriority? asked = header switch
        {
            "" => client.Priority,
            "high" => RequestPriority.High,
            "normal" => RequestPriority.Normal,
            "low" or "batch" => RequestPriority.Low,
            _ => null,
        };
        if (asked is null)
        {
            error = GatewayErrors.Invalid(PriorityHeader, $"Invalid '{PriorityHeader}' header: use 'high', 'normal' or 'low'.");
            return null;
        }

        if (asked < client.MaxPriority && asked < client.Priority)
        {
            error = GatewayErrors.PriorityNotAllowed(PriorityHeader, header, client.MaxPriority.ToString().ToLowerInvariant());
            return null;
        }

        return asked;
    }

    private TimeSpan? ReadTimeout(HttpRequest request, ClientIdentity client, out GatewayError? error)
    {
        error = null;
        var limit = client.MaxWait is { } keyLimit && keyLimit < dispatch.Value.DefaultDeadline ? keyLimit : dispatch.Value.DefaultDeadline;
        var header = request.Headers[TimeoutHeader].ToString();
        if (header.Length == 0)
        {
            return limit;
        }

        if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
        {
            error = GatewayErrors.Invalid(TimeoutHeader, $"Invalid '{TimeoutHeader}' header: give a positive whole number of milliseconds.");
            return null;
        }

        // A client may shorten its wait, never lengthen it past the gateway's limit.
        var asked = TimeSpan.FromMilliseconds(Math.Min(ms, (long)TimeSpan.FromDays(1).TotalMilliseconds));
        return asked < limit ? asked : limit;
    }

    private static bool IsNoCache(HttpRequest request) =>
        request.Headers.CacheControl.Any(v => v is not null
            && (v.Contains("no-cache", StringComparison.OrdinalIgnoreCase) || v.Contains("no-store", StringComparison.OrdinalIgnoreCase)));
}
