using System.Globalization;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Idempotency;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Telemetry;
using ImageOrleans.Silo.Auth;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ImageOrleans.Silo.Pipeline;

/// <summary>
/// The one path of a generation below the front doors: validate against the catalogue, read the request
/// options, admit with the client key (quota, budget, downgrade), route through idempotency, cache or
/// straight to a dispatcher, and fetch the images for the answer. HTTP and gRPC both call it, so every
/// rule holds identically on both; the money is settled in the grains (<see cref="SettlementBook"/>).
/// </summary>
public sealed class GenerationPipeline(
    GrainReferences references,
    AccountDirectory directory,
    RequestChecks checks,
    OutputHook outputHook,
    IImageStore store,
    ImageWriteBehind writeBehind,
    AnswersBeingSent beingSent,
    CachedAnswers answers,
    Dispatcher dispatcher,
    IOptions<ImageOrleansOptions> root,
    IOptions<CacheOptions> cache,
    IOptions<DispatchOptions> dispatch,
    CostCalculator costs,
    TimeProvider time)
{
    /// <summary>Names of the request options, as HTTP headers and gRPC metadata keys alike; errors name them in <c>param</c>.</summary>
    public const string PriorityOption = "x-imageorleans-priority";
    public const string TimeoutOption = "x-imageorleans-timeout-ms";
    public const string IdempotencyKeyOption = "Idempotency-Key";

    public async Task<GenerationOutcome> RunAsync(GenerationCall call, CancellationToken cancellationToken)
    {
        var client = call.Client;
        var served = await directory.GetServedModelsAsync();
        var (validated, resolution, invalid) = checks.Check(call, served, root.Value.DefaultModel);
        if (invalid is not null)
        {
            return GenerationOutcome.Failed(invalid) with { Model = resolution };
        }

        if (ReadPriority(call.Priority, client, out var priorityError) is not { } priority)
        {
            return GenerationOutcome.Failed(priorityError!);
        }

        if (ReadWaitLimit(call, client, out var timeoutError) is not { } waitLimit)
        {
            return GenerationOutcome.Failed(timeoutError!);
        }

        if (call.IdempotencyKey is not null && call.Input.Stream)
        {
            return GenerationOutcome.Failed(GatewayErrors.Invalid(IdempotencyKeyOption,
                $"The '{IdempotencyKeyOption}' header cannot be used with 'stream': true; a streamed answer is not stored for replay.", "unsupported_parameter"));
        }

        if (call.IdempotencyKey is { } idempotencyKey && !IsValidIdempotencyKey(idempotencyKey))
        {
            return GenerationOutcome.Failed(GatewayErrors.Invalid(IdempotencyKeyOption,
                $"Invalid '{IdempotencyKeyOption}' header: use 1 to 255 visible ASCII characters, for example a UUID."));
        }

        var now = time.GetUtcNow();
        var pool = await directory.GetAsync();
        var keyGrain = references.Key(client.KeyId);
        var cacheable = cache.Value.Enabled && client.Cache != CachePolicy.Off && !call.NoCache;

        // An answer this silo's cache holds is admitted and booked with the key in one call, with no call
        // to the cache's grain; any other request is admitted first and then looked up or generated.
        var held = cacheable && !validated!.Request.Stream && call.IdempotencyKey is null && call.StreamId is null
            ? answers.Find(CacheKey.For(client.CacheScope, validated.Request), now) is { } cached ? new GenerationReply { Result = cached, Cache = CacheStatus.Hit } : null
            : null;
        // One settlement for every try: a try whose answer was lost is not booked twice.
        var servedFree = held is null ? null : SettlementBook.Describe(validated!.Request, Guid.Empty, held, SettlementRole.Beneficiary);
        var admission = await GatewayTelemetry.TraceAsync(GatewayTelemetry.Admission, () => WhileClusterHealsAsync(now + waitLimit, () => servedFree is null
            ? keyGrain.AdmitAsync(AdmissionFor(validated!.Request, pool, now + waitLimit)).AsTask()
            : keyGrain.AdmitServedAsync(AdmissionFor(validated!.Request, pool, now + waitLimit), servedFree).AsTask(), cancellationToken));
        if (admission.Error is { } refused)
        {
            return GenerationOutcome.Failed(refused, admission.Quota) with { Request = validated!.Request, Priority = priority, Model = resolution };
        }

        var request = validated!.Request;
        string? downgraded = null;
        if (admission.DowngradedTo is { } lower)
        {
            // A cheaper request than the one the held answer serves: generated or looked up as any other.
            downgraded = $"{request.Quality ?? "auto"}->{lower}";
            request = request with { Quality = lower };
            held = null;
        }

        if (call.StreamId is { } streamId)
        {
            request = request with { StreamId = streamId };
        }

        call.OnAdmitted?.Invoke(new GenerationOutcome { Quota = admission.Quota, Downgraded = downgraded, Request = request, Model = resolution, Priority = priority });

        // A b64_json answer is written from the upstream's bytes and its images stored behind it, once it is
        // out; an idempotent reply (kept for replay) and an output check (which fetches a link) need them stored first.
        var storeBehind = validated.ResponseFormat == ResponseFormat.Base64Json && !request.Stream && call.IdempotencyKey is null
            && !outputHook.Enabled && !call.StoreBeforeAnswer;
        var answerId = Guid.Empty;
        if (storeBehind && held is null && call.OnAnswerSent is { } onSent)
        {
            var sending = beingSent.Begin();
            onSent(sending);
            answerId = sending.Id;
        }

        var job = new GenerationJob
        {
            RequestId = call.RequestId,
            ClientKeyId = client.KeyId,
            Tenant = client.CacheScope,
            Priority = priority,
            Weight = client.Weight,
            Request = request,
            AcceptedAt = now,
            Deadline = now + waitLimit,
            ReservationId = admission.ReservationId,
            StoreBehind = storeBehind,
            AnswerId = answerId,
        };

        // From here the grains settle the reservation, where the request's fate is decided. The pipeline
        // never frees it, not even when its call fails or its client hangs up: the generation may run on
        // and must find its reservation; one that nobody settles lapses at its expiry.
        // A stream runs on this silo's dispatcher, the one its events are relayed to.
        var bypass = !cacheable || request.Stream;
        var admit = () => WhileClusterHealsAsync(job.Deadline, () => keyGrain.AdmitAsync(AdmissionFor(job.Request, pool, job.Deadline)).AsTask(), cancellationToken);
        var outcome = await GenerateAsync(call, job, validated.ResponseFormat, bypass, cacheable, admit, held, cancellationToken);
        if (outcome.Result is { } made && !request.Stream && outputHook.Enabled
            && await outputHook.CheckAsync(call, request.Model, made, cancellationToken) is { } withheld)
        {
            // Made and settled in the grains already: the refusal does not undo the charge.
            outcome = outcome with { Error = withheld, Result = null, Contents = null };
        }
        return outcome with
        {
            Quota = outcome.Quota ?? admission.Quota, Downgraded = downgraded, Request = request, Format = validated.ResponseFormat, Priority = priority, Model = resolution,
        };
    }

    private async Task<GenerationOutcome> GenerateAsync(GenerationCall call, GenerationJob job, ResponseFormat format, bool bypass, bool cacheable,
        Func<Task<Admission>> admit, GenerationReply? held, CancellationToken cancellationToken)
    {
        var replayed = false;
        GenerationReply reply;
        if (held is not null)
        {
            // Admitted and booked with the key already.
            reply = held;
        }
        else if (call.IdempotencyKey is { } key)
        {
            var grain = references.Get<IIdempotencyGrain>($"{call.Client.KeyId}/{key}");
            var fingerprint = CacheKey.For(call.Client.Tenant, job.Request);
            var idempotent = await WhileClusterHealsAsync(job.Deadline, () => grain.RunAsync(fingerprint, job, bypass, cancellationToken), cancellationToken);
            (reply, replayed) = (idempotent.Reply, idempotent.Replayed);
        }
        else if (job.Request.Stream && cacheable && await WhileClusterHealsAsync(job.Deadline,
                     () => references.Get<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request)).GetCachedAsync(job), cancellationToken) is { } hit)
        {
            // A stream that the cache can answer gets one completed event per image, nothing generated.
            reply = hit;
        }
        else
        {
            reply = await SendAsync(job, bypass, cancellationToken);
        }

        RateLimitInfo? quota = null;
        var contents = reply.Result is not null ? await ReadImagesAsync(reply, format, cancellationToken) : null;
        if (reply.Result is { } swept && contents is null && reply.Cache is CacheStatus.Hit or CacheStatus.Coalesced)
        {
            // The answer points at images the retention sweep removed: generate afresh rather than hand
            // out a dead link. A new upstream generation, admitted and paid like any other; the cache
            // entry and the idempotency record that point at the dead images are dropped first.
            var again = await admit();
            if (again.Error is { } refused)
            {
                return GenerationOutcome.Failed(refused, again.Quota);
            }

            quota = again.Quota;
            var fresh = job with { ReservationId = again.ReservationId };
            var deadImages = swept.Images.Select(i => i.ImageId).ToList();
            answers.Drop(CacheKey.For(job.Tenant, job.Request), swept);
            await references.Get<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request)).InvalidateAsync(deadImages);
            replayed = false;
            if (call.IdempotencyKey is { } retried)
            {
                var grain = references.Get<IIdempotencyGrain>($"{call.Client.KeyId}/{retried}");
                await grain.ForgetAsync(deadImages);
                var idempotent = await WhileClusterHealsAsync(job.Deadline,
                    () => grain.RunAsync(CacheKey.For(call.Client.Tenant, job.Request), fresh, bypass, cancellationToken), cancellationToken);
                (reply, replayed) = (idempotent.Reply, idempotent.Replayed);
            }
            else
            {
                reply = await SendAsync(fresh, bypass, cancellationToken);
            }

            contents = reply.Result is not null ? await ReadImagesAsync(reply, format, cancellationToken) : null;
        }

        if (reply.Result is not null && contents is null)
        {
            return new GenerationOutcome { Error = GatewayErrors.Internal(call.RequestId), Quota = quota, Cache = reply.Cache, QueueWait = reply.QueueWait };
        }

        return new GenerationOutcome
        {
            Quota = quota,
            Error = reply.Error,
            Replayed = replayed && reply.Result is not null,
            Cache = reply.Cache,
            QueueWait = reply.QueueWait,
            Result = reply.Result,
            Contents = format == ResponseFormat.Base64Json ? contents : null,
        };
    }

    /// <summary>
    /// What the key is asked to reserve: the worst case at the requested quality, then at each cheaper
    /// one (for a downgrade policy), priced at the dearest account that serves the model.
    /// </summary>
    private AdmissionRequest AdmissionFor(ImageRequest request, PoolSnapshot pool, DateTimeOffset deadline)
    {
        // Plain loops: this runs for every request.
        var serving = false;
        var factor = decimal.MinValue;
        var timeout = TimeSpan.MinValue;
        foreach (var account in pool.Accounts)
        {
            if (account.Enabled && account.Serves(request.Model))
            {
                serving = true;
                factor = Math.Max(factor, account.PriceFactor);
                timeout = account.Timeout > timeout ? account.Timeout : timeout;
            }
        }

        if (!serving)
        {
            (factor, timeout) = (1m, TimeSpan.FromMinutes(2));
        }

        var cheaper = costs.CheaperQualities(request);
        var options = new List<CostOption>(1 + cheaper.Count) { new(request.Quality, costs.WorstCase(request, factor)) };
        foreach (var quality in cheaper)
        {
            options.Add(new CostOption(quality, costs.WorstCase(request with { Quality = quality }, factor)));
        }
        return new AdmissionRequest
        {
            Model = request.Model,
            Images = request.N,
            Options = options,

            // Past this, a reservation nobody settled (a silo died) is released.
            ReservationExpires = deadline + (3 * timeout) + TimeSpan.FromMinutes(1),
        };
    }

    private Task<GenerationReply> SendAsync(GenerationJob job, bool bypassCache, CancellationToken cancellationToken) =>
        WhileClusterHealsAsync(job.Deadline, () => bypassCache
            ? GatewayTelemetry.TraceAsync(GatewayTelemetry.Dispatch, () => BypassAsync(job, cancellationToken))
            : GatewayTelemetry.TraceAsync(GatewayTelemetry.Cache, () => references.Get<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request)).GetOrGenerateAsync(job, cancellationToken)), cancellationToken);

    private async Task<GenerationReply> BypassAsync(GenerationJob job, CancellationToken cancellationToken)
    {
        // This silo's dispatcher, in process: no grain call of its own.
        var reply = await dispatcher.GenerateAsync(job, cancellationToken);
        if (reply is { Result: { } result, Contents: { } contents })
        {
            // Nothing waits for these: no cache entry points at them; stored like every generated image.
            _ = writeBehind.SaveAsync(result, contents, job.AnswerId);
        }

        return reply with { Cache = CacheStatus.Bypass };
    }

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

    /// <summary>
    /// The images' bytes for a <c>b64_json</c> answer (from the reply when it carries them, else from the
    /// store); for a <c>url</c> answer only whether they are all still stored (an empty list). Null when one is gone.
    /// </summary>
    private async Task<IReadOnlyList<ReadOnlyMemory<byte>>?> ReadImagesAsync(GenerationReply reply, ResponseFormat format, CancellationToken cancellationToken)
    {
        var result = reply.Result!;
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

        if (reply.Contents is { } carried && carried.Count == result.Images.Count)
        {
            return carried;
        }

        var contents = new ReadOnlyMemory<byte>[result.Images.Count];
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

    /// <summary>The key's tier, or the asked class when the key may use it (lowering is always allowed).</summary>
    internal static RequestPriority? ReadPriority(string? value, ClientIdentity client, out GatewayError? error)
    {
        error = null;
        var asked = (value ?? string.Empty).Trim().ToLowerInvariant();
        RequestPriority? priority = asked switch
        {
            "" => client.Priority,
            "high" => RequestPriority.High,
            "normal" => RequestPriority.Normal,
            "low" or "batch" => RequestPriority.Low,
            _ => null,
        };
        if (priority is null)
        {
            error = GatewayErrors.Invalid(PriorityOption, $"Invalid '{PriorityOption}' header: use 'high', 'normal' or 'low'.");
            return null;
        }

        if (priority < client.MaxPriority && priority < client.Priority)
        {
            error = GatewayErrors.PriorityNotAllowed(PriorityOption, asked, client.MaxPriority.ToString().ToLowerInvariant());
            return null;
        }

        return priority;
    }

    /// <summary>How long the request may wait for capacity: the gateway's limit, shortened by the key, the client and the transport.</summary>
    private TimeSpan? ReadWaitLimit(GenerationCall call, ClientIdentity client, out GatewayError? error)
    {
        error = null;
        var limit = client.MaxWait is { } keyLimit && keyLimit < dispatch.Value.DefaultDeadline ? keyLimit : dispatch.Value.DefaultDeadline;
        if (call.Deadline is { } deadline && deadline - time.GetUtcNow() < limit)
        {
            limit = deadline - time.GetUtcNow();
            if (limit <= TimeSpan.Zero)
            {
                error = GatewayErrors.DeadlineExceeded(TimeSpan.Zero);
                return null;
            }
        }

        if (string.IsNullOrEmpty(call.TimeoutMs))
        {
            return limit;
        }

        if (!long.TryParse(call.TimeoutMs, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
        {
            error = GatewayErrors.Invalid(TimeoutOption, $"Invalid '{TimeoutOption}' header: give a positive whole number of milliseconds.");
            return null;
        }

        // A client may shorten its wait, never lengthen it past the gateway's limit.
        var asked = TimeSpan.FromMilliseconds(Math.Min(ms, (long)TimeSpan.FromDays(1).TotalMilliseconds));
        return asked < limit ? asked : limit;
    }

    private static bool IsValidIdempotencyKey(string value) => value.Length is > 0 and <= 255 && value.All(c => c is >= '!' and <= '~');
}
