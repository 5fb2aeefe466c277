namespace ImageOrleans.Grains.Dispatch;

/// <summary>How the prompt cache took part in an answer.</summary>
[GenerateSerializer]
public enum CacheStatus
{
    /// <summary>Generated upstream for this request.</summary>
    Miss,

    /// <summary>Served from the cache: no upstream call.</summary>
    Hit,

    /// <summary>Joined an identical request already in flight: no upstream call of its own.</summary>
    Coalesced,

    /// <summary>The client asked to skip the cache (<c>Cache-Control: no-cache</c>).</summary>
    Bypass,
}
