using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Images;

/// <summary>Start-up checks of <see cref="ImagesOptions"/>; every message names the setting, never a key.</summary>
public sealed class ImagesOptionsValidator : IValidateOptions<ImagesOptions>
{
    private const string Section = "ImageOrleans:Images";

    public ValidateOptionsResult Validate(string? name, ImagesOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(ImagesOptions options)
    {
        if (options.Retention <= TimeSpan.Zero || options.SweepInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:Retention and {Section}:SweepInterval must be positive.";
        }

        if (options.Store != ImageStoreKind.S3)
        {
            yield break;
        }

        var s3 = options.S3;
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            yield return $"{Section}:Store is S3: set {Section}:S3:Bucket.";
        }

        if (!string.IsNullOrWhiteSpace(s3.ServiceUrl) && !(Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return $"{Section}:S3:ServiceUrl must be an absolute http(s) address.";
        }

        if (string.IsNullOrWhiteSpace(s3.ServiceUrl) && Amazon.RegionEndpoint.EnumerableAllRegions.All(r => r.SystemName != s3.Region))
        {
            yield return $"{Section}:S3:Region '{s3.Region}' is not an AWS region; set {Section}:S3:ServiceUrl for another S3-compatible service.";
        }

        if (string.IsNullOrEmpty(s3.AccessKey) != string.IsNullOrEmpty(s3.SecretKey))
        {
            yield return $"Set both {Section}:S3:AccessKey and {Section}:S3:SecretKey, or neither (the SDK's default credentials).";
        }

        if (s3.KeyPrefix.StartsWith('/'))
        {
            yield return $"{Section}:S3:KeyPrefix must not start with '/'.";
        }
    }
}
