namespace ImageOrleans.Client.Serialization;

/// <summary><c>GET /batches</c>.</summary>
internal sealed class BatchListBody
{
    public List<BatchBody>? Data { get; set; }
}
