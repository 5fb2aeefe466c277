namespace ImageOrleans.Grains.Upstreams;

/// <summary>One image as the upstream returned it.</summary>
public sealed record UpstreamImage(byte[] Bytes, string? RevisedPrompt);
