using System.Globalization;
using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Files;
using ImageOrleans.Silo.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// OpenAI's Files API for batch input and output: <c>POST /v1/files</c> (multipart, <c>purpose=batch</c>),
/// list, retrieve, content and delete. A file belongs to the key that uploaded it (or whose batch
/// produced it); any other key gets 404, as for a file that does not exist.
/// </summary>
public static class FilesApi
{
    public const int MaxListLimit = 10_000;

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder routes)
    {
        var files = routes.MapGroup("/v1/files").WithTags("Files").AddEndpointFilter<ClientAuthenticationFilter>();
        files.MapPost("/", UploadAsync)
            .WithName("CreateFile")
            .WithSummary("Uploads a JSONL file of batch requests (multipart: file, purpose=batch).");
        files.MapGet("/", ListAsync)
            .WithName("ListFiles")
            .WithSummary("Lists the calling key's files, newest first (limit, after, purpose).");
        files.MapGet("/{fileId}", GetAsync)
            .WithName("RetrieveFile")
            .WithSummary("Describes one of the calling key's files.");
        files.MapGet("/{fileId}/content", ContentAsync)
            .WithName("DownloadFile")
            .WithSummary("The file's content: an upload as sent, a batch's output or error file as JSONL.");
        files.MapDelete("/{fileId}", DeleteAsync)
            .WithName("DeleteFile")
            .WithSummary("Deletes one of the calling key's files.");
        return routes;
    }

    private static async Task<IResult> UploadAsync(HttpContext http, IGrainFactory grains, IOptions<BatchesOptions> options, TimeProvider time)
    {
        var limit = options.Value.MaxFileBytes;
        if (!http.Request.HasFormContentType)
        {
            return OpenAIErrors.Result(GatewayErrors.UnsupportedMediaType(http.Request.ContentType) with
            {
                Message = "Upload files as multipart/form-data with the fields 'file' and 'purpose'.",
            });
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            // Room for the multipart framing around the largest file accepted.
            bodySize.MaxRequestBodySize = limit + (64 * 1024);
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (InvalidDataException ex)
        {
            return OpenAIErrors.Result(GatewayErrors.Invalid(null, $"The multipart body could not be read: {ex.Message}", "invalid_multipart"));
        }

        var purpose = form["purpose"].ToString();
        if (purpose.Length == 0)
        {
            return OpenAIErrors.Result(GatewayErrors.Missing("purpose"));
        }

        if (purpose != "batch")
        {
            return OpenAIErrors.Result(GatewayErrors.Invalid("purpose", $"Invalid purpose '{purpose}': this gateway takes files for 'batch' only."));
        }

        if (form.Files.GetFile("file") is not { } upload)
        {
            return OpenAIErrors.Result(GatewayErrors.Missing("file"));
        }

        if (upload.Length > limit)
        {
            return OpenAIErrors.Result(GatewayErrors.BodyTooLarge(limit));
        }

        var content = new byte[upload.Length];
        await using (var stream = upload.OpenReadStream())
        {
            await stream.ReadExactlyAsync(content, http.RequestAborted);
        }

        var name = Path.GetFileName(upload.FileName);
        var file = new FileObject
        {
            Id = BatchIds.NewFileId(),
            KeyId = http.GetClient().KeyId,
            Filename = name.Length is > 0 and <= 255 ? name : "upload.jsonl",
            Purpose = purpose,
            Bytes = content.Length,
            CreatedAt = time.GetUtcNow(),
            Kind = FileKind.Upload,
        };
        return BatchJson.File(await grains.GetGrain<IFileGrain>(file.Id).CreateAsync(file, content));
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = http.Request.Query;
        if (!TryLimit(query["limit"], MaxListLimit, MaxListLimit, out var limit, out var error))
        {
            return OpenAIErrors.Result(error!);
        }

        var after = query["after"].ToString() is { Length: > 0 } cursor ? cursor : null;
        var purpose = query["purpose"].ToString() is { Length: > 0 } asked ? asked : null;
        var page = await grains.GetGrain<IFileIndexGrain>(http.GetClient().KeyId).ListAsync(after, limit, purpose);
        return BatchJson.List(page.Files, f => f.Id, BatchJson.WriteFile, page.HasMore);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string fileId, IGrainFactory grains) =>
        await FindAsync(http, fileId, grains) is { } file ? BatchJson.File(file) : NotFound(fileId);

    private static async Task<IResult> ContentAsync(HttpContext http, string fileId, IGrainFactory grains, BatchResultsWriter results)
    {
        if (await FindAsync(http, fileId, grains) is not { } file)
        {
            return NotFound(fileId);
        }

        if (file.Kind == FileKind.Upload)
        {
            var content = await grains.GetGrain<IFileGrain>(file.Id).ReadAsync(file.KeyId);
            return content is null ? NotFound(fileId) : Results.Bytes(content, "application/octet-stream");
        }

        var outcomes = await grains.GetGrain<IBatchGrain>(file.BatchId!).ReadResultsAsync(failures: file.Kind == FileKind.BatchErrors);
        return results.Write(outcomes);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string fileId, IGrainFactory grains)
    {
        if (!BatchIds.IsFileId(fileId) || !await grains.GetGrain<IFileGrain>(fileId).DeleteAsync(http.GetClient().KeyId))
        {
            return NotFound(fileId);
        }

        return Results.Json(new FileDeleted(fileId, "file", true), BatchesJsonContext.Default.FileDeleted);
    }

    private static async Task<FileObject?> FindAsync(HttpContext http, string fileId, IGrainFactory grains) =>
        BatchIds.IsFileId(fileId) ? await grains.GetGrain<IFileGrain>(fileId).GetAsync(http.GetClient().KeyId) : null;

    private static IResult NotFound(string fileId) => OpenAIErrors.Result(new GatewayError
    {
        Status = 404,
        Type = GatewayErrors.InvalidRequestType,
        Message = $"No such File object: {fileId}",
        Param = "id",
    });

    /// <summary>Reads <c>limit</c>: a whole number from 1 to <paramref name="max"/>.</summary>
    internal static bool TryLimit(string? value, int fallback, int max, out int limit, out GatewayError? error)
    {
        error = null;
        limit = fallback;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > max)
        {
            error = GatewayErrors.Invalid("limit", $"Invalid 'limit': give a whole number from 1 to {max}.");
            return false;
        }

        return true;
    }
}
