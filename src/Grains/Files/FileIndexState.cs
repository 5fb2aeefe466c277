namespace ImageOrleans.Grains.Files;

/// <summary>A key's files, oldest first.</summary>
[GenerateSerializer, Alias("io.FileIndexState")]
public sealed class FileIndexState
{
    [Id(0)] public List<FileObject> Files { get; set; } = [];
}
