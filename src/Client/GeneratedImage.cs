namespace ImageOrleans.Client;

/// <summary>One image of a generation result: inline bytes or a link to fetch them from.</summary>
public sealed class GeneratedImage
{
    /// <summary>The decoded <c>b64_json</c>, when the response carried the image inline.</summary>
    public byte[]? Bytes { get; init; }

    /// <summary>Where to download the image, when the response carried a link instead.</summary>
    public Uri? Url { get; init; }

    public string? RevisedPrompt { get; init; }
}
