using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Batches;

/// <summary>The Images endpoints a batch may run, and the operation each line's body is read as.</summary>
public static class BatchEndpoints
{
    public const string Generations = "/v1/images/generations";

    /// <summary>JSON edits: each line's body has <c>images[].image_url</c> (and an optional <c>mask</c>) as the live JSON edit does.</summary>
    public const string Edits = "/v1/images/edits";

    /// <summary>The operation for <paramref name="endpoint"/>, or null when batches cannot run it.</summary>
    public static ImageOperation? OperationOf(string endpoint) => endpoint switch
    {
        Generations => ImageOperation.Generate,
        Edits => ImageOperation.Edit,
        _ => null,
    };
}
