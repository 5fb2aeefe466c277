namespace ImageOrleans.Client.Serialization;

/// <summary>The gateway's own fields of a batch.</summary>
internal sealed class BatchGatewayBody
{
    public int CacheHits { get; set; }
    public bool Paused { get; set; }

    public decimal SpentUsd { get; set; }
}
