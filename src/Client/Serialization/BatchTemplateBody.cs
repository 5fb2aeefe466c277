namespace ImageOrleans.Client.Serialization;

/// <summary>A server-side template: a request body with <c>{placeholders}</c>, expanded over the input file's rows.</summary>
internal sealed class BatchTemplateBody
{
    public required ImageGenerationRequest Body { get; set; }
    public string? CustomIdColumn { get; set; }
}
