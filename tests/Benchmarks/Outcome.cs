using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Benchmarks;

/// <summary>How one benchmark request ended; status -1 means no HTTP answer at all.</summary>
public sealed record Outcome(int Tenant, RequestPriority Priority, TimeSpan Started, TimeSpan Ended, int Status, string? Code, double QueueMs)
{
    public bool Completed => Status == 200;

    /// <summary>Refused at the door (queue full or displaced): the request was never accepted.</summary>
    public bool Rejected => Status == 503 || (Status is >= 400 and < 500 && Status != 499);

    public bool Lost => Status == -1;
}
