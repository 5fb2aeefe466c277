namespace ImageOrleans.Grains.Files;

/// <summary>Where a file's bytes come from: a client's upload, or the results of a batch.</summary>
[GenerateSerializer]
public enum FileKind
{
    Upload,
    BatchOutput,
    BatchErrors,
}
