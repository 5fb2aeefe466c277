namespace ImageOrleans.Grains.Images;

/// <summary>Image storage and links (section <c>ImageOrleans:Images</c>).</summary>
public sealed class ImagesOptions
{
    /// <summary>How long a link handed out for <c>response_format: "url"</c> stays valid.</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// Key that signs image links (at least 32 characters); every silo must share it. When unset on a
    /// single local silo, one is generated and kept in the data folder.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Scheme and host put in image links, e.g. https://images.example.com; by default the request's own.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where images are kept: a local folder (the default) or an S3-compatible bucket.</summary>
    public ImageStoreKind Store { get; set; } = ImageStoreKind.File;

    /// <summary>The bucket, when <see cref="Store"/> is <see cref="ImageStoreKind.S3"/>.</summary>
    public S3StoreOptions S3 { get; set; } = new();

    /// <summary>Folder of the file store; relative paths are under the data folder.</summary>
    public string StorePath { get; set; } = "images";

    /// <summary>
    /// How long a stored image is kept after it was last produced. Longer than the cache TTL, the
    /// idempotency retention and the link lifetime, which all point at stored images.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the store is swept for images past their retention.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
