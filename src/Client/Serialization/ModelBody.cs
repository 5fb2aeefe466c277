namespace ImageOrleans.Client.Serialization;

/// <summary>One entry of <c>data</c> in a model list.</summary>
internal sealed class ModelBody
{
    public string? Id { get; set; }
}
