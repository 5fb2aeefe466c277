namespace ImageOrleans.Grains.Files;

/// <summary>A stored file: what it is and, for an upload, its bytes.</summary>
[GenerateSerializer, Alias("io.FileState")]
public sealed class FileState
{
    [Id(0)] public FileObject? File { get; set; }
    [Id(1)] public byte[]? Content { get; set; }
}
