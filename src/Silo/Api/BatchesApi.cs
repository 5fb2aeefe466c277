using System.Text.Json;
using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Files;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Admin;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Hosting;
using ImageOrleans.Silo.Pipeline;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// OpenAI's Batches API over image generations: create from an uploaded JSONL file, retrieve, list
/// (<c>limit</c>, <c>after</c>) and cancel. Items run at <c>low</c> priority unless the key allows more
/// and <c>x-imageorleans-priority</c> asks for it. A batch belongs to the key that created it.
/// </summary>
public static class BatchesApi
{
    private const int MaxListLimit = 100;
    private const int MaxMetadataPairs = 16;

    public static IEndpointRouteBuilder MapBatchesApi(this IEndpointRouteBuilder routes)
    {
        var batches = routes.MapGroup("/v1/batches").WithTags("Batches").AddEndpointFilter<ClientAuthenticationFilter>();
        batches.MapPost("/", CreateAsync)
            .WithName("CreateBatch")
            .WithSummary("Creates a batch from an uploaded JSONL file of image generation requests.");
        batches.MapGet("/", ListAsync)
            .WithName("ListBatches")
            .WithSummary("Lists the calling key's batches, newest first (limit, after).");
        batches.MapGet("/{batchId}", async (HttpContext http, string batchId, IGrainFactory grains) =>
                await FindAsync(http, batchId, grains) is { } batch ? BatchJson.Batch(batch) : NotFound(batchId))
            .WithName("RetrieveBatch")
            .WithSummary("The batch with its status and request counts.");
        batches.MapPost("/{batchId}/cancel", async (HttpContext http, string batchId, IGrainFactory grains) =>
                BatchIds.IsBatchId(batchId) && await grains.GetGrain<IBatchGrain>(batchId).CancelAsync(http.GetClient().KeyId) is { } batch
                    ? BatchJson.Batch(batch)
                    : NotFound(batchId))
            .WithName("CancelBatch")
            .WithSummary("Cancels a batch: no new item starts; it is cancelled once those running ended.");

        // The gateway's own: the successes stored so far, in the output file's shape, while the batch runs.
        batches.MapGet("/{batchId}/output", async (HttpContext http, string batchId, IGrainFactory grains, BatchResultsWriter results) =>
                await FindAsync(http, batchId, grains) is { } batch
                    ? results.Write(await grains.GetGrain<IBatchGrain>(batch.Id).ReadResultsAsync(failures: false))
                    : NotFound(batchId))
            .WithName("GetBatchOutputSoFar")
            .WithSummary("The output lines stored so far (JSONL), before the batch has ended.");

        routes.MapPost("/admin/batches/{batchId}/resume", async (string batchId, IGrainFactory grains) =>
                BatchIds.IsBatchId(batchId) && await grains.GetGrain<IBatchGrain>(batchId).ResumeAsync() is { } batch
                    ? BatchJson.Batch(batch)
                    : NotFound(batchId))
            .AddEndpointFilter<AdminAuthenticationFilter>()
            .WithTags("Admin: batches")
            .WithName("AdminResumeBatch")
            .WithSummary("Starts a batch that paused when its key's budget ran out.");
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, ClientKeyDirectory keys, IOptions<FrontDoorOptions> frontDoor)
    {
        var (body, bodyError) = await JsonBody.ReadAsync(http.Request, frontDoor.Value.MaxRequestBodyBytes);
        if (bodyError is not null)
        {
            return OpenAIErrors.Result(bodyError);
        }

        var client = http.GetClient();
        if (!TryRead(body, out var fields, out var error))
        {
            return OpenAIErrors.Result(error!);
        }

        var asked = http.Request.Headers.TryGetValue(GenerationPipeline.PriorityOption, out var header) ? header.ToString() : null;
        var (batch, refused) = await CreateBatchAsync(grains, keys, client, fields!, asked);
        return batch is null ? OpenAIErrors.Result(refused!) : BatchJson.Batch(batch);
    }

    /// <summary>
    /// Creates a batch for <paramref name="client"/> from checked fields: the one place the HTTP and gRPC
    /// front doors share, so the priority rules, the input file's ownership and the budget policy hold on both.
    /// </summary>
    public static async Task<(BatchObject? Batch, GatewayError? Error)> CreateBatchAsync(
        IGrainFactory grains, ClientKeyDirectory keys, ClientIdentity client, BatchCreateFields fields, string? priorityAsked)
    {
        if (GenerationPipeline.ReadPriority(priorityAsked ?? "low", client, out var priorityError) is not { } priority)
        {
            return (null, priorityError);
        }

        var file = BatchIds.IsFileId(fields.InputFileId) ? await grains.GetGrain<IFileGrain>(fields.InputFileId).GetAsync(client.KeyId) : null;
        if (file is not { Kind: FileKind.Upload })
        {
            return (null, GatewayErrors.Invalid("input_file_id", $"No such file: '{fields.InputFileId}'. Upload it with POST /v1/files (purpose 'batch') first.", "invalid_file"));
        }

        var key = await keys.GetAsync(client.KeyId);
        var spec = new BatchSpec
        {
            KeyId = client.KeyId,
            Endpoint = fields.Endpoint,
            InputFileId = fields.InputFileId,
            CompletionWindow = fields.CompletionWindow,
            Metadata = fields.Metadata,
            Priority = priority,
            PauseOnBudget = key?.Settings.BatchBudgetPolicy == BatchBudgetPolicy.Pause,
            Template = fields.Template,
        };
        return (await grains.GetGrain<IBatchGrain>(BatchIds.NewBatchId()).CreateAsync(spec), null);
    }

    /// <summary>The checks of a batch's fields once read, whatever the transport: endpoint, window and metadata.</summary>
    public static GatewayError? Check(BatchCreateFields fields)
    {
        if (fields.InputFileId.Length == 0 || fields.Endpoint.Length == 0 || fields.CompletionWindow.Length == 0)
        {
            return GatewayErrors.Missing(fields.InputFileId.Length == 0 ? "input_file_id" : fields.Endpoint.Length == 0 ? "endpoint" : "completion_window");
        }

        if (BatchEndpoints.OperationOf(fields.Endpoint) is null)
        {
            return GatewayErrors.Invalid("endpoint",
                $"Invalid 'endpoint' \"{fields.Endpoint}\": this gateway runs batches of \"{BatchEndpoints.Generations}\" and \"{BatchEndpoints.Edits}\" (JSON edits).", "invalid_endpoint");
        }

        if (fields.CompletionWindow != "24h")
        {
            return GatewayErrors.Invalid("completion_window", "Invalid 'completion_window': only \"24h\" is supported.");
        }

        if (fields.Metadata is { } metadata)
        {
            if (metadata.Any(pair => pair.Key.Length > 64 || pair.Value.Length > 512))
            {
                return GatewayErrors.Invalid("metadata", "Invalid 'metadata': string values of at most 512 characters under keys of at most 64.");
            }

            if (metadata.Count > MaxMetadataPairs)
            {
                return GatewayErrors.Invalid("metadata", $"Invalid 'metadata': at most {MaxMetadataPairs} pairs.");
            }
        }

        return null;
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        if (!FilesApi.TryLimit(http.Request.Query["limit"], 20, MaxListLimit, out var limit, out var error))
        {
            return OpenAIErrors.Result(error!);
        }

        var keyId = http.GetClient().KeyId;
        var after = http.Request.Query["after"].ToString() is { Length: > 0 } cursor ? cursor : null;
        var page = await grains.GetGrain<IBatchIndexGrain>(keyId).ListAsync(after, limit);
        var batches = await Task.WhenAll(page.BatchIds.Select(id => grains.GetGrain<IBatchGrain>(id).GetAsync(keyId)));
        return BatchJson.List(batches.OfType<BatchObject>().ToList(), b => b.Id, BatchJson.WriteBatch, page.HasMore);
    }

    private static async Task<BatchObject?> FindAsync(HttpContext http, string batchId, IGrainFactory grains) =>
        BatchIds.IsBatchId(batchId) ? await grains.GetGrain<IBatchGrain>(batchId).GetAsync(http.GetClient().KeyId) : null;

    private static IResult NotFound(string batchId) => OpenAIErrors.Result(new GatewayError
    {
        Status = 404,
        Type = GatewayErrors.InvalidRequestType,
        Message = $"No such Batch object: {batchId}",
        Param = "id",
    });

    private static bool TryRead(ReadOnlyMemory<byte> body, out BatchCreateFields? fields, out GatewayError? error)
    {
        fields = null;
        if (!StrictJson.TryParse(body, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            string? inputFileId = null, endpoint = null, window = null;
            Dictionary<string, string>? metadata = null;
            BatchTemplate? template = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "input_file_id" when value.ValueKind == JsonValueKind.String:
                        inputFileId = value.GetString();
                        break;
                    case "endpoint" when value.ValueKind == JsonValueKind.String:
                        endpoint = value.GetString();
                        break;
                    case "completion_window" when value.ValueKind == JsonValueKind.String:
                        window = value.GetString();
                        break;
                    case "metadata" or "template" when value.ValueKind == JsonValueKind.Null:
                        break;
                    case "template" when value.ValueKind == JsonValueKind.Object:
                        if (!TryTemplate(value, out template, out error))
                        {
                            return false;
                        }

                        break;
                    case "metadata" when value.ValueKind == JsonValueKind.Object:
                        if (!TryMetadata(value, out metadata, out error))
                        {
                            return false;
                        }

                        break;
                    case "input_file_id" or "endpoint" or "completion_window":
                        error = GatewayErrors.WrongType(property.Name, "string", value.ValueKind.ToString().ToLowerInvariant());
                        return false;
                    case "metadata" or "template":
                        error = GatewayErrors.WrongType(property.Name, "object", value.ValueKind.ToString().ToLowerInvariant());
                        return false;
                    default:
                        error = GatewayErrors.UnknownParameter(property.Name);
                        return false;
                }
            }

            if (inputFileId is null || endpoint is null || window is null)
            {
                error = GatewayErrors.Missing(inputFileId is null ? "input_file_id" : endpoint is null ? "endpoint" : "completion_window");
                return false;
            }

            var read = new BatchCreateFields(inputFileId, endpoint, window, metadata, template);
            if (Check(read) is { } invalid)
            {
                error = invalid;
                return false;
            }

            fields = read;
            return true;
        }
    }

    /// <summary><c>{"body": {…request with {placeholders}…}, "custom_id_column": "sku"}</c>; the variables are the input file.</summary>
    private static bool TryTemplate(JsonElement value, out BatchTemplate? template, out GatewayError? error)
    {
        template = null;
        error = null;
        string? body = null, column = null;
        foreach (var property in value.EnumerateObject())
        {
            switch (property.Name)
            {
                case "body" when property.Value.ValueKind == JsonValueKind.Object:
                    body = property.Value.GetRawText();
                    if (TemplateExpander.Placeholders(property.Value).Count == 0)
                    {
                        error = GatewayErrors.Invalid("template.body", "The template has no {placeholder}: every item would be the same request.", "invalid_template");
                        return false;
                    }

                    break;
                case "custom_id_column" when property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { Length: > 0 } name:
                    column = name;
                    break;
                case "body":
                    error = GatewayErrors.WrongType("template.body", "object", property.Value.ValueKind.ToString().ToLowerInvariant());
                    return false;
                case "custom_id_column":
                    error = GatewayErrors.Invalid("template.custom_id_column", "'template.custom_id_column' must be a column name.");
                    return false;
                default:
                    error = GatewayErrors.UnknownParameter($"template.{property.Name}");
                    return false;
            }
        }

        if (body is null)
        {
            error = GatewayErrors.Missing("template.body");
            return false;
        }

        template = new BatchTemplate { BodyJson = body, CustomIdColumn = column };
        return true;
    }

    private static bool TryMetadata(JsonElement value, out Dictionary<string, string>? metadata, out GatewayError? error)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        foreach (var pair in value.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String)
            {
                error = GatewayErrors.Invalid("metadata", "Invalid 'metadata': string values of at most 512 characters under keys of at most 64.");
                return false;
            }

            metadata[pair.Name] = pair.Value.GetString()!;
        }

        return true;
    }
}
