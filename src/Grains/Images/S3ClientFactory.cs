using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace ImageOrleans.Grains.Images;

/// <summary>An S3 client for the configured service: AWS by region, or any S3-compatible endpoint.</summary>
public static class S3ClientFactory
{
    public static AmazonS3Client Create(S3StoreOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,

            // Checksums only where S3 requires them: several S3-compatible services refuse the
            // trailing checksums the SDK otherwise adds to every upload.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
