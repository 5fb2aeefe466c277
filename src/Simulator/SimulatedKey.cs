using ImageOrleans.Simulator.Engine;

namespace ImageOrleans.Simulator;

/// <summary>One API key the simulator accepts, with its limits and the way it misbehaves.</summary>
public sealed class SimulatedKey
{
    /// <summary>The API key string the client sends.</summary>
    public string Key { get; set; } = "";

    public int RequestsPerMinute { get; set; } = 60;

    public int ImagesPerMinute { get; set; } = 60;

    /// <summary>Requests of this key allowed in flight at once; 0 means unlimited.</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>
    /// Scales the configured limits into the enforced ones (floor, at least 1). Headers advertise the
    /// enforced limit, so a factor below 1 models an account whose real quota is lower than its paperwork.
    /// </summary>
    public double TrueLimitFactor { get; set; } = 1.0;

    /// <summary>How the limits are counted: a bucket (default), fixed short windows, or a sliding window.</summary>
    public RateLimitMode RateLimit { get; set; } = RateLimitMode.Bucket;

    /// <summary>The window length for the window modes, in seconds (1 to 60); the per-minute limit is scaled to it.</summary>
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Every request is refused with 401 invalid_api_key.</summary>
    public bool Revoked { get; set; }

    /// <summary>Every request is refused with 429 insufficient_quota.</summary>
    public bool InsufficientQuota { get; set; }

    /// <summary>Models this key is refused with 403 (an unverified organization).</summary>
    public List<string> ForbiddenModels { get; set; } = [];

    /// <summary>The only models this key serves (others get 404); null or empty serves every model.</summary>
    public List<string>? Models { get; set; }

    /// <summary>Overrides <see cref="SimulatorOptions.Faults"/> for this key.</summary>
    public FaultOptions? Faults { get; set; }

    /// <summary>The requests-per-minute limit actually enforced: floor(configured × factor), at least 1.</summary>
    public int EnforcedRequestsPerMinute => Enforce(RequestsPerMinute);

    /// <summary>The images-per-minute limit actually enforced: floor(configured × factor), at least 1.</summary>
    public int EnforcedImagesPerMinute => Enforce(ImagesPerMinute);

    /// <summary>Masks the key so that the object can be logged.</summary>
    public override string ToString() => $"SimulatedKey {KeyMask.Mask(Key)}";

    internal SimulatedKey Clone() => new()
    {
        Key = Key,
        RequestsPerMinute = RequestsPerMinute,
        ImagesPerMinute = ImagesPerMinute,
        MaxConcurrency = MaxConcurrency,
        TrueLimitFactor = TrueLimitFactor,
        RateLimit = RateLimit,
        WindowSeconds = WindowSeconds,
        Revoked = Revoked,
        InsufficientQuota = InsufficientQuota,
        ForbiddenModels = [.. ForbiddenModels],
        Models = Models is null ? null : [.. Models],
        Faults = Faults?.Clone(),
    };

    // The epsilon keeps products such as 100 × 0.29 = 28.999999999999996 from flooring one short.
    private int Enforce(int configured) =>
        (int)Math.Clamp(Math.Floor((configured * TrueLimitFactor) + 1e-9), 1, int.MaxValue);
}
