namespace ImageOrleans.Client.Serialization;

/// <summary><c>errors</c> of a batch whose input was refused.</summary>
internal sealed class BatchErrorsBody
{
    public List<BatchOutputErrorBody>? Data { get; set; }
}
