using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Grpc.V1;
using GrpcResponseFormat = ImageOrleans.Grpc.V1.ResponseFormat;
using ResponseFormat = ImageOrleans.Grains.Requests.ResponseFormat;
using ImageOrleans.Silo.Api;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Pipeline;
using ImageOrleans.Silo.Telemetry;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.GrpcApi;

/// <summary>
/// <c>imageorleans.v1.Images</c>: the same generation pipeline as <c>POST /v1/images/generations</c>, so
/// quotas, budgets, queueing, priorities, cache, idempotency and failover hold identically on both.
/// </summary>
public sealed class ImagesGrpcService(
    GenerationPipeline pipeline,
    ClientKeyDirectory keys,
    AccountDirectory directory,
    ImageLinks links,
    RequestTelemetryFilter telemetry,
    IGrainFactory grains,
    IOptions<BillingOptions> billing,
    StreamRelay relay,
    UploadStore uploads,
    IOptions<UploadOptions> uploadLimits,
    TimeProvider time) : Images.ImagesBase
{
    /// <summary>The request's id in the response headers, as the HTTP front door's <c>x-request-id</c>: quote it when reporting a problem.</summary>
    private const string RequestIdHeader = "x-request-id";

    private static readonly TimeSpan BatchWatchInterval = TimeSpan.FromMilliseconds(500);

    // Models have no creation date of their own here; the HTTP answer uses the same one.
    private const long ModelsCreated = 1_700_000_000;

    public override async Task<ImagesResponse> Generate(GenerateRequest request, ServerCallContext context)
    {
        var client = await AuthenticateAsync(context);
        return Response(await RunAsync(Call(client, Input(request), context), context));
    }

    public override async Task GenerateStream(GenerateRequest request, IServerStreamWriter<ImageStreamEvent> responseStream, ServerCallContext context)
    {
        var client = await AuthenticateAsync(context);
        var input = Input(request) with { Stream = true, PartialImages = request.HasPartialImages ? request.PartialImages : null };
        await StreamAsync(Call(client, input, context), responseStream, context);
    }

    public override async Task<ImagesResponse> Edit(EditRequest request, ServerCallContext context)
    {
        var client = await AuthenticateAsync(context);
        var saved = new List<InputImage>();
        try
        {
            var call = await EditCallAsync(client, request, stream: false, saved, context);
            return Response(await RunAsync(call, context));
        }
        finally
        {
            uploads.Delete(saved);
        }
    }

    public override async Task EditStream(EditRequest request, IServerStreamWriter<ImageStreamEvent> responseStream, ServerCallContext context)
    {
        var client = await AuthenticateAsync(context);
        var saved = new List<InputImage>();
        try
        {
            await StreamAsync(await EditCallAsync(client, request, stream: true, saved, context), responseStream, context);
        }
        finally
        {
            uploads.Delete(saved);
        }
    }

    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        await AuthenticateAsync(context);
        var served = await directory.GetServedModelsAsync();
        var response = new ListModelsResponse();
        response.Data.AddRange(served.Order(StringComparer.Ordinal).Select(id => new Model { Id = id, Created = ModelsCreated, OwnedBy = "imageorleans" }));
        return response;
    }

    public override async Task<UsageReport> GetUsage(GetUsageRequest request, ServerCallContext context)
    {
        var client = await AuthenticateAsync(context);
        if (!UsagePeriod.TryParse(request.StartDate, request.EndDate, UsagePeriod.Today(time, billing.Value), out var period, out var error))
        {
            throw GrpcErrors.Exception(error!);
        }

        var rows = await UsageApi.ReadAsync(grains, [client.KeyId], period.Start, period.End);
        var report = new UsageReport { StartDate = period.StartText, EndDate = period.EndText, Totals = new UsageTotals() };
        foreach (var row in rows)
        {
            report.Data.Add(new Grpc.V1.UsageRow
            {
                Day = row.Day,
                KeyId = row.KeyId,
                Model = row.Model,
                Quality = row.Quality,
                Requests = row.Requests,
                Images = row.Images,
                SpendUsd = (double)row.SpendUsd,
                SavedUsd = (double)row.SavedUsd,
                CacheHits = row.CacheHits,
                Failed = row.Failed,
                Generated = row.Generated,
            });
            var totals = report.Totals;
            totals.Requests += row.Requests;
            totals.Images += row.Images;
            totals.SpendUsd += (double)row.SpendUsd;
            totals.SavedUsd += (double)row.SavedUsd;
            totals.CacheHits += row.CacheHits;
            totals.Failed += row.Failed;
            totals.Generated += row.Generated;
        }

        return report;
    }

    public override async Task<Grpc.V1.Batch> CreateBatch(CreateBatchRequest request, ServerCallContext context)
    {
        var client = await AuthenticateAsync(context);
        var fields = new BatchCreateFields(request.InputFileId, request.Endpoint, request.CompletionWindow,
            request.Metadata.Count == 0 ? null : new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal), Template: null);
        if (BatchesApi.Check(fields) is { } invalid)
        {
            throw GrpcErrors.Exception(invalid);
        }

        var (batch, refused) = await BatchesApi.CreateBatchAsync(grains, keys, client, fields, context.RequestHeaders.GetValue(GenerationPipeline.PriorityOption));
        return batch is null ? throw GrpcErrors.Exception(refused!) : BatchMessages.From(batch);
    }

    public override async Task<Grpc.V1.Batch> GetBatch(BatchRequest request, ServerCallContext context) =>
        BatchMessages.From(await FindBatchAsync(request, context, (grain, keyId) => grain.GetAsync(keyId)));

    public override async Task<Grpc.V1.Batch> CancelBatch(BatchRequest request, ServerCallContext context) =>
        BatchMessages.From(await FindBatchAsync(request, context, (grain, keyId) => grain.CancelAsync(keyId)));

    /// <summary>The batch now, then each time its status, counts or pause change, until it has ended (or the call does).</summary>
    public override async Task WatchBatch(BatchRequest request, IServerStreamWriter<Grpc.V1.Batch> responseStream, ServerCallContext context)
    {
        var batch = await FindBatchAsync(request, context, (grain, keyId) => grain.GetAsync(keyId));
        var keyId = (await AuthenticateAsync(context)).KeyId;
        var grain = grains.GetGrain<IBatchGrain>(batch.Id);
        var sent = BatchMessages.From(batch);
        await responseStream.WriteAsync(sent, context.CancellationToken);

        // Bounded by the batch's own lifetime: past its expiry it is final anyway.
        while (!BatchStatusNames.IsFinal(batch.Status) && time.GetUtcNow() < batch.ExpiresAt + TimeSpan.FromMinutes(5))
        {
            await Task.Delay(BatchWatchInterval, time, context.CancellationToken);
            batch = await grain.GetAsync(keyId) ?? throw GrpcErrors.Exception(BatchNotFound(request.BatchId));
            var now = BatchMessages.From(batch);
            if (now.Status != sent.Status || !now.RequestCounts.Equals(sent.RequestCounts) || now.Paused != sent.Paused
                || now.CacheHits != sent.CacheHits || now.OutputFileId != sent.OutputFileId || now.ErrorFileId != sent.ErrorFileId)
            {
                await responseStream.WriteAsync(now, context.CancellationToken);
                sent = now;
            }
        }
    }

    private async Task<BatchObject> FindBatchAsync(BatchRequest request, ServerCallContext context, Func<IBatchGrain, string, Task<BatchObject?>> read)
    {
        var client = await AuthenticateAsync(context);
        var batch = BatchIds.IsBatchId(request.BatchId) ? await read(grains.GetGrain<IBatchGrain>(request.BatchId), client.KeyId) : null;
        return batch ?? throw GrpcErrors.Exception(BatchNotFound(request.BatchId));
    }

    private static GatewayError BatchNotFound(string batchId) => new()
    {
        Status = 404,
        Type = GatewayErrors.InvalidRequestType,
        Message = $"No such Batch object: {batchId}",
        Param = "batch_id",
    };

    private static GenerationCall Call(ClientIdentity client, ImageRequestInput input, ServerCallContext context)
    {
        var headers = context.RequestHeaders;
        return new GenerationCall
        {
            RequestId = "req_" + Guid.NewGuid().ToString("N"),
            Client = client,
            Input = input,
            Priority = headers.GetValue(GenerationPipeline.PriorityOption),
            TimeoutMs = headers.GetValue(GenerationPipeline.TimeoutOption),
            IdempotencyKey = headers.GetValue(GenerationPipeline.IdempotencyKeyOption.ToLowerInvariant()),
            NoCache = headers.GetValue("cache-control") is { } cacheControl && cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase),

            // A call without a deadline gets DateTime.MaxValue: the gateway's own limit applies.
            Deadline = context.Deadline == DateTime.MaxValue ? null : new DateTimeOffset(context.Deadline.ToUniversalTime(), TimeSpan.Zero),
            OnAnswerSent = context.GetHttpContext().Response.RegisterForDispose,
        };
    }

    /// <summary>Runs the pipeline and writes the same request log line and metrics as the HTTP front door.</summary>
    private async Task<GenerationOutcome> RunAsync(GenerationCall call, ServerCallContext context)
    {
        var started = time.GetTimestamp();
        await context.WriteResponseHeadersAsync(new Metadata { { RequestIdHeader, call.RequestId } });
        var outcome = await pipeline.RunAsync(call, context.CancellationToken);
        Record(call, outcome, started);
        return outcome.Error is { } error ? throw GrpcErrors.Exception(error) : outcome;
    }

    private void Record(GenerationCall call, GenerationOutcome outcome, long started)
    {
        var record = new RequestRecord();
        record.Completed(outcome);
        telemetry.Record(call.RequestId, call.Client.KeyId, record, outcome.Error?.Status ?? 200, time.GetElapsedTime(started));
    }

    /// <summary>
    /// A streamed call: admitted and queued before the first event, so a refusal is the call's status;
    /// partial images pass on as the upstream sends them; the final event is the whole answer. A client that
    /// cancels cancels the call, which cancels the upstream attempt and returns its lease.
    /// </summary>
    private async Task StreamAsync(GenerationCall call, IServerStreamWriter<ImageStreamEvent> stream, ServerCallContext context)
    {
        using var subscription = relay.Subscribe(Guid.NewGuid().ToString("N"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var started = time.GetTimestamp();
        await context.WriteResponseHeadersAsync(new Metadata { { RequestIdHeader, call.RequestId } });
        var run = pipeline.RunAsync(call with { StreamId = subscription.StreamId }, cancel.Token);
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
                if (streamEvent.Type == RelayedEvent.ErrorType)
                {
                    // The upstream failed mid-stream: the call ends with that error; stop the attempt.
                    await cancel.CancelAsync();
                    await Task.WhenAny(run);
                    throw GrpcErrors.Exception(StreamedError(streamEvent.Data));
                }

                if (Partial(streamEvent) is { } partial)
                {
                    await stream.WriteAsync(new ImageStreamEvent { PartialImage = partial }, context.CancellationToken);
                }
            }
        }

        var outcome = await run;
        Record(call, outcome, started);
        while (outcome.Error is null && reader.TryRead(out var late))
        {
            if (Partial(late) is { } partial)
            {
                await stream.WriteAsync(new ImageStreamEvent { PartialImage = partial }, context.CancellationToken);
            }
        }

        if (outcome.Error is { } error)
        {
            throw GrpcErrors.Exception(error);
        }

        await stream.WriteAsync(new ImageStreamEvent { Completed = Response(outcome) }, context.CancellationToken);
    }

    /// <summary>A relayed <c>*.partial_image</c> event as a message; other events (the upstream's completed ones) are not passed on.</summary>
    private static PartialImage? Partial(RelayedEvent streamEvent)
    {
        if (!streamEvent.Type.EndsWith(".partial_image", StringComparison.Ordinal))
        {
            return null;
        }

        using var document = JsonDocument.Parse(streamEvent.Data);
        var data = document.RootElement;
        return new PartialImage
        {
            PartialImageIndex = data.TryGetProperty("partial_image_index", out var index) && index.TryGetInt32(out var i) ? i : 0,
            ImageBytes = data.TryGetProperty("b64_json", out var b64) && b64.ValueKind == JsonValueKind.String
                ? ByteString.CopyFrom(b64.GetBytesFromBase64())
                : ByteString.Empty,
            Size = Text(data, "size"),
            Quality = Text(data, "quality"),
            Background = Text(data, "background"),
            OutputFormat = Text(data, "output_format"),
        };
    }

    private static string Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    /// <summary>An upstream's mid-stream <c>error</c> event as the gateway's error (502 when it says no more).</summary>
    private static GatewayError StreamedError(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            var error = document.RootElement.TryGetProperty("error", out var inner) ? inner : document.RootElement;
            return GatewayErrors.UpstreamFailed(1, Text(error, "message") is { Length: > 0 } message ? message : "the upstream failed while streaming");
        }
        catch (JsonException)
        {
            return GatewayErrors.UpstreamFailed(1, "the upstream failed while streaming");
        }
    }

    /// <summary>Saves an edit's files in the upload store (deleted by the caller) and builds its call; files are checked like the HTTP endpoint's.</summary>
    private async Task<GenerationCall> EditCallAsync(ClientIdentity client, EditRequest request, bool stream, List<InputImage> saved, ServerCallContext context)
    {
        var limits = uploadLimits.Value;
        if (request.Images.Count > limits.MaxFiles)
        {
            throw GrpcErrors.Exception(GatewayErrors.Invalid("images", string.Create(CultureInfo.InvariantCulture,
                $"Invalid 'images': at most {limits.MaxFiles} images per request."), "too_many_images"));
        }

        long total = 0;
        async Task<InputImage> SaveAsync(InputFile file, string param)
        {
            var allowed = Math.Min(limits.MaxFileBytes, limits.MaxTotalBytes - total);
            try
            {
                using var content = new MemoryStream(file.Content.Memory.ToArray(), writable: false);
                var image = await uploads.SaveAsync(content, file.FileName.Length == 0 ? null : file.FileName, allowed, context.CancellationToken);
                saved.Add(image);
                total += image.Length;
                return image;
            }
            catch (UploadTooLargeException)
            {
                throw GrpcErrors.Exception(GatewayErrors.Invalid(param, string.Create(CultureInfo.InvariantCulture,
                    $"Invalid '{param}': the file is too large. Each file may have {limits.MaxFileBytes} bytes and all files together {limits.MaxTotalBytes}."), "file_too_large"));
            }
        }

        var images = new List<InputImage>();
        for (var i = 0; i < request.Images.Count; i++)
        {
            images.Add(await SaveAsync(request.Images[i], string.Create(CultureInfo.InvariantCulture, $"image[{i}]")));
        }

        var mask = request.Mask is { Content.Length: > 0 } maskFile ? await SaveAsync(maskFile, "mask") : null;
        var input = new ImageRequestInput
        {
            Model = Text(request.Model),
            Prompt = request.Prompt,
            N = request.N == 0 ? null : request.N,
            Size = Text(request.Size),
            Quality = Text(request.Quality),
            Background = Text(request.Background),
            OutputFormat = Text(request.OutputFormat),
            OutputCompression = request.HasOutputCompression ? request.OutputCompression : null,
            Moderation = Text(request.Moderation),
            User = Text(request.User),
            InputFidelity = Text(request.InputFidelity),
            ResponseFormat = request.ResponseFormat == GrpcResponseFormat.Url ? "url" : "b64_json",
            Stream = stream,
            PartialImages = stream && request.HasPartialImages ? request.PartialImages : null,
        };
        return Call(client, input, context) with { Operation = ImageOperation.Edit, Images = images, Mask = mask };
    }

    private ImagesResponse Response(GenerationOutcome outcome)
    {
        var result = outcome.Result!;
        var ran = outcome.Request!;
        var response = new ImagesResponse
        {
            Created = result.Created,
            UsageJson = result.Usage is { } usage ? System.Text.Encoding.UTF8.GetString(usage.Json) : string.Empty,
            Cache = outcome.Cache?.ToString().ToLowerInvariant() ?? string.Empty,
            Replayed = outcome.Replayed,
            Downgraded = outcome.Downgraded ?? string.Empty,
            Size = ran.AlwaysBase64 ? ran.Size ?? string.Empty : string.Empty,
            Quality = ran.AlwaysBase64 ? ran.Quality ?? string.Empty : string.Empty,
            Background = ran.AlwaysBase64 ? ran.Background ?? string.Empty : string.Empty,
            OutputFormat = ran.AlwaysBase64 ? ran.OutputFormat ?? string.Empty : string.Empty,
        };
        for (var i = 0; i < result.Images.Count; i++)
        {
            var stored = result.Images[i];
            response.Data.Add(new Image
            {
                ImageBytes = outcome.Contents is { } contents ? ByteString.CopyFrom(contents[i].Span) : ByteString.Empty,
                Url = outcome.Format == ResponseFormat.Url ? links.CreateForHttpFrontDoor(stored.ImageId) : string.Empty,
                RevisedPrompt = stored.RevisedPrompt ?? string.Empty,
                ContentType = stored.ContentType,
            });
        }

        return response;
    }

    private async Task<ClientIdentity> AuthenticateAsync(ServerCallContext context)
    {
        const string Bearer = "Bearer ";
        var header = context.RequestHeaders.GetValue("authorization") ?? string.Empty;
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.Length == Bearer.Length)
        {
            throw GrpcErrors.Exception(GatewayErrors.MissingApiKey());
        }

        return await keys.AuthenticateAsync(header[Bearer.Length..].Trim())
            ?? throw GrpcErrors.Exception(GatewayErrors.InvalidApiKey());
    }

    private static ImageRequestInput Input(GenerateRequest request) => new()
    {
        Model = Text(request.Model),
        Prompt = request.Prompt,
        N = request.N == 0 ? null : request.N,
        Size = Text(request.Size),
        Quality = Text(request.Quality),
        Background = Text(request.Background),
        OutputFormat = Text(request.OutputFormat),
        OutputCompression = request.HasOutputCompression ? request.OutputCompression : null,
        Moderation = Text(request.Moderation),
        Style = Text(request.Style),
        User = Text(request.User),
        ResponseFormat = request.ResponseFormat == GrpcResponseFormat.Url ? "url" : "b64_json",
    };

    private static string? Text(string value) => value.Length == 0 ? null : value;
}
