using Google.Protobuf;
using Grpc.Core;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
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
    TimeProvider time) : Images.ImagesBase
{
    // Models have no creation date of their own here; the HTTP answer uses the same one.
    private const long ModelsCreated = 1_700_000_000;

    public override async Task<ImagesResponse> Generate(GenerateRequest request, ServerCallContext context)
    {
        var client = await AuthenticateAsync(context);
        var headers = context.RequestHeaders;
        var started = time.GetTimestamp();
        var requestId = "req_" + Guid.NewGuid().ToString("N");
        var outcome = await pipeline.RunAsync(new GenerationCall
        {
            RequestId = requestId,
            Client = client,
            Input = Input(request),
            Priority = headers.GetValue(GenerationPipeline.PriorityOption),
            TimeoutMs = headers.GetValue(GenerationPipeline.TimeoutOption),
            IdempotencyKey = headers.GetValue(GenerationPipeline.IdempotencyKeyOption.ToLowerInvariant()),
            NoCache = headers.GetValue("cache-control") is { } cacheControl && cacheControl.Contains("no-cache", StringComparison.OrdinalIgnoreCase),

            // A call without a deadline gets DateTime.MaxValue: the gateway's own limit applies.
            Deadline = context.Deadline == DateTime.MaxValue ? null : new DateTimeOffset(context.Deadline.ToUniversalTime(), TimeSpan.Zero),
        }, context.CancellationToken);

        // The same request log line and metrics as the HTTP front door, with the HTTP status the error stands for.
        var record = new RequestRecord();
        record.Completed(outcome);
        telemetry.Record(requestId, client.KeyId, record, outcome.Error?.Status ?? 200, time.GetElapsedTime(started));
        if (outcome.Error is { } error)
        {
            throw GrpcErrors.Exception(error);
        }

        var result = outcome.Result!;
        var ran = outcome.Request!;
        var response = new ImagesResponse
        {
            Created = result.Created,
            UsageJson = result.UsageJson ?? string.Empty,
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
                ImageBytes = outcome.Contents is { } contents ? ByteString.CopyFrom(contents[i]) : ByteString.Empty,
                Url = outcome.Format == ResponseFormat.Url ? links.CreateForHttpFrontDoor(stored.ImageId) : string.Empty,
                RevisedPrompt = stored.RevisedPrompt ?? string.Empty,
                ContentType = stored.ContentType,
            });
        }

        return response;
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
