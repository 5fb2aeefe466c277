namespace ImageOrleans.Benchmarks;

/// <summary>One way of asking for an image in the overhead benchmark: straight to the upstream, the floor, or the gateway.</summary>
public abstract class OverheadPath(string name)
{
    public string Name { get; } = name;

    /// <summary>Whether answers can come from the gateway's cache.</summary>
    public abstract bool Caches { get; }

    /// <summary>Sends one request; the time it took, or null when it failed (<paramref name="expectHit"/> and no hit is a failure).</summary>
    public abstract Task<TimeSpan?> SendAsync(string prompt, bool expectHit);
}
