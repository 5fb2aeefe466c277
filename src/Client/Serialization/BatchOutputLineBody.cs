namespace ImageOrleans.Client.Serialization;

/// <summary>One line of a batch's output or error file.</summary>
internal sealed class BatchOutputLineBody
{
    public string? CustomId { get; set; }
    public BatchOutputResponseBody? Response { get; set; }
    public BatchOutputErrorBody? Error { get; set; }
    public BatchOutputGatewayBody? Imageorleans { get; set; }
}
