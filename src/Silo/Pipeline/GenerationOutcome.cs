using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Silo.Pipeline;

/// <summary>How a generation call ended, with everything a front door needs to answer in its own shape.</summary>
public sealed record GenerationOutcome
{
    /// <summary>Why the call failed; null when <see cref="Result"/> holds the images.</summary>
    public GatewayError? Error { get; init; }

    /// <summary>The key's own limits after admission (none before the key was asked).</summary>
    public RateLimitInfo? Quota { get; init; }

    /// <summary>"high->medium" when the key's budget policy ran the request at a cheaper quality.</summary>
    public string? Downgraded { get; init; }

    /// <summary>The stored answer of an earlier request with the same idempotency key.</summary>
    public bool Replayed { get; init; }

    public CacheStatus? Cache { get; init; }

    /// <summary>The priority class the request ran in (once read).</summary>
    public RequestPriority? Priority { get; init; }

    public TimeSpan QueueWait { get; init; }

    public GenerationResult? Result { get; init; }

    /// <summary>The request as it ran (canonical model, downgraded quality).</summary>
    public ImageRequest? Request { get; init; }

    public ResponseFormat Format { get; init; }

    /// <summary>How the requested model name was resolved (alias, deprecation), once it was.</summary>
    public ModelResolution? Model { get; init; }

    /// <summary>The images' bytes when the answer carries them (<c>b64_json</c>).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Contents { get; init; }

    public static GenerationOutcome Failed(GatewayError error, RateLimitInfo? quota = null) => new() { Error = error, Quota = quota };
}
