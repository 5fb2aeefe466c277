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
