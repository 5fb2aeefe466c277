namespace ImageOrleans.Grains.Requests;

/// <summary>Which Images endpoint a request is for; each has its own upstream path and body.</summary>
[GenerateSerializer]
public enum ImageOperation
{
    /// <summary><c>POST /v1/images/generations</c>, a JSON body.</summary>
    Generate,

    /// <summary><c>POST /v1/images/edits</c>, multipart with image files and an optional mask.</summary>
    Edit,

    /// <summary><c>POST /v1/images/variations</c>, multipart with one image.</summary>
    Variation,
}
