namespace ImageOrleans.Client.Serialization;

/// <summary><c>request_counts</c> of a batch.</summary>
internal sealed class RequestCountsBody
{
    public int Total { get; set; }
    public int Completed { get; set; }
    public int Failed { get; set; }
}
