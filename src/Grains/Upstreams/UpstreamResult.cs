using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>The classified end of one upstream call.</summary>
public sealed record UpstreamResult
{
    public required OutcomeKind Kind { get; init; }
    public int? StatusCode { get; init; }
    public IReadOnlyList<UpstreamImage> Images { get; init; } = [];
    public long? Created { get; init; }
    /// <summary>The upstream's token usage, read once with the answer.</summary>
    public ImageUsage? Usage { get; init; }

    /// <summary>The size, quality, background and format the upstream reports it produced.</summary>
    public ProducedSettings? Produced { get; init; }
    public UpstreamErrorBody? Error { get; init; }
    public RateLimitInfo RateLimits { get; init; } = RateLimitInfo.None;
    public TimeSpan? RetryAfter { get; init; }
    public TimeSpan Latency { get; init; }

    /// <summary>Which way the call broke, when it did.</summary>
    public UpstreamFault Fault { get; init; }

    /// <summary>False when the call certainly never reached the upstream (connection refused, name not resolved).</summary>
    public bool Sent { get; init; } = true;

    /// <summary>Short and free of secrets: fit for logs, status views and client-facing messages.</summary>
    public string? Detail { get; init; }
}
