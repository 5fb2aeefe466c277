namespace ImageOrleans.Client.Serialization;

/// <summary>A file object: only its id is needed.</summary>
internal sealed class FileBody
{
    public string? Id { get; set; }
}
