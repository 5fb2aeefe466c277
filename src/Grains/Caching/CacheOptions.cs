namespace ImageOrleans.Grains.Caching;

/// <summary>The prompt cache (section <c>ImageOrleans:Cache</c>).</summary>
public sealed class CacheOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>How long a generated answer is served again to the same tenant for the same request.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired cache entries and idempotency records are deleted from storage (at least a minute).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);
}
