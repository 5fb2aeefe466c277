namespace ImageOrleans.Grains.Images;

/// <summary>Where images are kept (<c>ImageOrleans:Images:Store</c>).</summary>
public enum ImageStoreKind
{
    /// <summary>A local folder: one silo, or a volume every silo mounts.</summary>
    File,

    /// <summary>An S3-compatible bucket (AWS S3, MinIO, R2, Ceph): a cluster needs no shared volume.</summary>
    S3,
}
