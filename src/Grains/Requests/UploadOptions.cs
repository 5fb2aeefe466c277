namespace ImageOrleans.Grains.Requests;

/// <summary>
/// Limits and place of the files uploaded to edits and variations (section <c>ImageOrleans:Uploads</c>).
/// Defaults follow OpenAI's documentation: up to 16 images of at most 50 MB each for GPT image models.
/// </summary>
public sealed class UploadOptions
{
    /// <summary>Folder for uploads in flight, relative to the data folder.</summary>
    public string Path { get; set; } = "uploads";

    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>All files of one request together.</summary>
    public long MaxTotalBytes { get; set; } = 512L * 1024 * 1024;

    public int MaxFiles { get; set; } = 16;
}
