using System.Text.Json.Serialization;

namespace ImageOrleans.Client.Serialization;

/// <summary>A batch object as the gateway returns it (the fields the CLI reads).</summary>
internal sealed class BatchBody
{
    public string? Id { get; set; }
    public string? Status { get; set; }
    public string? OutputFileId { get; set; }
    public string? ErrorFileId { get; set; }
    public RequestCountsBody? RequestCounts { get; set; }
    public BatchGatewayBody? Imageorleans { get; set; }
    public BatchErrorsBody? Errors { get; set; }
}

/// <summary><c>errors</c> of a batch whose input was refused.</summary>
internal sealed class BatchErrorsBody
{
    public List<BatchOutputErrorBody>? Data { get; set; }
}

/// <summary><c>request_counts</c> of a batch.</summary>
internal sealed class RequestCountsBody
{
    public int Total { get; set; }
    public int Completed { get; set; }
    public int Failed { get; set; }
}

/// <summary>The gateway's own fields of a batch.</summary>
internal sealed class BatchGatewayBody
{
    public int CacheHits { get; set; }
    public bool Paused { get; set; }
}

/// <summary><c>GET /batches</c>.</summary>
internal sealed class BatchListBody
{
    public List<BatchBody>? Data { get; set; }
}

/// <summary>A file object: only its id is needed.</summary>
internal sealed class FileBody
{
    public string? Id { get; set; }
}

/// <summary>The body of <c>POST /batches</c>.</summary>
internal sealed class BatchCreateBody
{
    public required string InputFileId { get; set; }
    public string Endpoint { get; set; } = "/v1/images/generations";
    public string CompletionWindow { get; set; } = "24h";
    public BatchTemplateBody? Template { get; set; }
}

/// <summary>A server-side template: a request body with <c>{placeholders}</c>, expanded over the input file's rows.</summary>
internal sealed class BatchTemplateBody
{
    public required ImageGenerationRequest Body { get; set; }
    public string? CustomIdColumn { get; set; }
}

/// <summary>One request line of a batch input file.</summary>
internal sealed class BatchRequestLineBody
{
    public required string CustomId { get; set; }
    public string Method { get; set; } = "POST";
    public string Url { get; set; } = "/v1/images/generations";
    public required ImageGenerationRequest Body { get; set; }
}

/// <summary>One line of a batch's output or error file.</summary>
internal sealed class BatchOutputLineBody
{
    public string? CustomId { get; set; }
    public BatchOutputResponseBody? Response { get; set; }
    public BatchOutputErrorBody? Error { get; set; }
    public BatchOutputGatewayBody? Imageorleans { get; set; }
}

/// <summary><c>response</c> of an output line.</summary>
internal sealed class BatchOutputResponseBody
{
    public int StatusCode { get; set; }
    public ImagesResponseBody? Body { get; set; }
}

/// <summary><c>error</c> of an output line (an item that never ran).</summary>
internal sealed class BatchOutputErrorBody
{
    public string? Code { get; set; }
    public string? Message { get; set; }
}

/// <summary>The gateway's own fields of an output line.</summary>
internal sealed class BatchOutputGatewayBody
{
    public string? Model { get; set; }
    public bool Cached { get; set; }

    [JsonPropertyName("cost_usd")]
    public decimal CostUsd { get; set; }
}
