namespace ImageOrleans.Client.Serialization;

/// <summary>One request line of a batch input file.</summary>
internal sealed class BatchRequestLineBody
{
    public required string CustomId { get; set; }
    public string Method { get; set; } = "POST";
    public string Url { get; set; } = "/v1/images/generations";
    public required ImageGenerationRequest Body { get; set; }
}
