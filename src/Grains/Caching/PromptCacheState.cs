using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Caching;

/// <summary>A cache entry as stored: the answer (images by reference) and when it stops being served.</summary>
[GenerateSerializer, Alias("io.PromptCacheState")]
public sealed class PromptCacheState
{
    [Id(0)] public GenerationResult? Result { get; set; }
    [Id(1)] public DateTimeOffset ExpiresAt { get; set; }
}
