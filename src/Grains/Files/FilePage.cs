namespace ImageOrleans.Grains.Files;

/// <summary>One page of a key's files, newest first.</summary>
[GenerateSerializer, Immutable, Alias("io.FilePage")]
public sealed record FilePage
{
    [Id(0)] public required IReadOnlyList<FileObject> Files { get; init; }
    [Id(1)] public bool HasMore { get; init; }
}
