namespace ImageOrleans.Client.Serialization;

/// <summary><c>response</c> of an output line.</summary>
internal sealed class BatchOutputResponseBody
{
    public int StatusCode { get; set; }
    public ImagesResponseBody? Body { get; set; }
}
