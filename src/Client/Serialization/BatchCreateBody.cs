namespace ImageOrleans.Client.Serialization;

/// <summary>The body of <c>POST /batches</c>.</summary>
internal sealed class BatchCreateBody
{
    public required string InputFileId { get; set; }
    public string Endpoint { get; set; } = "/v1/images/generations";
    public string CompletionWindow { get; set; } = "24h";
    public BatchTemplateBody? Template { get; set; }
}
