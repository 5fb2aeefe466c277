namespace ImageOrleans.Grains.Images;

/// <summary>The S3-compatible image store (section <c>ImageOrleans:Images:S3</c>).</summary>
public sealed class S3StoreOptions
{
    /// <summary>Endpoint of an S3-compatible service (MinIO, R2, Ceph); unset for AWS S3, found from <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>AWS region, or the region an S3-compatible service expects (often <c>us-east-1</c>).</summary>
    public string Region { get; set; } = "us-east-1";

    public string? Bucket { get; set; }

    /// <summary>Put before every object key, so several deployments can share a bucket (e.g. <c>prod/images/</c>).</summary>
    public string KeyPrefix { get; set; } = "images/";

    /// <summary>Access key id; unset to use the SDK's default credentials (environment, IRSA, instance profile).</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key. Secret: never logged.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Address buckets as <c>host/bucket</c> rather than <c>bucket.host</c>; MinIO and most self-hosted services need it.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Create the bucket at start-up when it does not exist (development; production buckets are provisioned).</summary>
    public bool CreateBucket { get; set; }
}
