namespace ImageOrleans.Client.Serialization;

/// <summary><c>error</c> of an output line (an item that never ran).</summary>
internal sealed class BatchOutputErrorBody
{
    public string? Code { get; set; }
    public string? Message { get; set; }
}
