namespace ImageOrleans.Grains.Upstreams;

/// <summary>The <c>error</c> object of an upstream's OpenAI-shaped error answer, secrets scrubbed.</summary>
public sealed record UpstreamErrorBody(string? Message, string? Type, string? Code, string? Param);
