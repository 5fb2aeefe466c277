namespace ImageOrleans.Grains.Errors;

/// <summary>An error in OpenAI's shape plus the HTTP status it leaves the gateway with.</summary>
[GenerateSerializer, Immutable, Alias("io.GatewayError")]
public sealed record GatewayError
{
    [Id(0)] public required int Status { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required string Message { get; init; }
    [Id(3)] public string? Code { get; init; }
    [Id(4)] public string? Param { get; init; }

    /// <summary>When set, the client is told to come back after this long (<c>Retry-After</c>).</summary>
    [Id(5)] public TimeSpan? RetryAfter { get; init; }
}
