using System.Text.Json.Serialization;

namespace ImageOrleans.Client;

/// <summary>The body of <c>POST /images/generations</c>, plus the gateway's own options that travel as headers.</summary>
public sealed class ImageGenerationRequest
{
    public string? Model { get; init; }
    public required string Prompt { get; init; }
    public int? N { get; init; }
    public string? Size { get; init; }
    public string? Quality { get; init; }
    public string? Background { get; init; }
    public string? OutputFormat { get; init; }
    public int? OutputCompression { get; init; }
    public string? Moderation { get; init; }
    public string? ResponseFormat { get; init; }
    public string? Style { get; init; }
    public string? User { get; init; }

    /// <summary><c>high</c>, <c>normal</c> or <c>low</c>; sent as <c>x-imageorleans-priority</c>.</summary>
    [JsonIgnore]
    public string? Priority { get; init; }

    /// <summary>How long the gateway may spend on the request; sent as <c>x-imageorleans-timeout-ms</c>.</summary>
    [JsonIgnore]
    public int? TimeoutMs { get; init; }

    /// <summary>Asks the gateway not to answer from its cache; sent as <c>Cache-Control: no-cache</c>.</summary>
    [JsonIgnore]
    public bool NoCache { get; init; }

    /// <summary>Lets a retried request be recognised as the same one; sent as <c>Idempotency-Key</c>.</summary>
    [JsonIgnore]
    public string? IdempotencyKey { get; init; }
}
