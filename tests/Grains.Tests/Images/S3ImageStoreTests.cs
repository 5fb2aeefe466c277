using Amazon.S3;
using Amazon.S3.Model;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Images;
using ImageOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Tests.Images;

/// <summary>The S3-compatible image store against a real S3-compatible server (s3rver).</summary>
public sealed class S3ImageStoreTests(S3ServerFixture s3) : IClassFixture<S3ServerFixture>
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
    private static readonly byte[] OtherPng = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 4, 5, 6];

    [Fact]
    public async Task Saves_by_content_under_the_prefix_and_any_other_silo_reads_it_back()
    {
        var options = s3.Options(S3ServerFixture.NewBucket(), "deployment-a/images/");
        using var client = S3ClientFactory.Create(options);
        var store = new S3ImageStore(client, options);

        var first = await store.SaveAsync(Png, CancellationToken.None);
        var second = await store.SaveAsync(Png, CancellationToken.None);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(ImageIds.For(Png, ImageFormat.Png), first.Id);
        Assert.Equal(("image/png", Png.Length), (first.ContentType, first.Length));

        // Another silo: its own client and store on the same bucket.
        using var otherClient = S3ClientFactory.Create(options);
        var other = new S3ImageStore(otherClient, options);
        Assert.True(await other.ExistsAsync(first.Id, CancellationToken.None));
        Assert.Equal(Png, await other.ReadAsync(first.Id, CancellationToken.None));
        await using (var stream = await other.OpenReadAsync(first.Id, CancellationToken.None))
        {
            Assert.NotNull(stream);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(Png, copy.ToArray());
        }

        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = options.Bucket });
        var stored = Assert.Single(listed.S3Objects);
        Assert.Equal("deployment-a/images/" + first.Id, stored.Key);
        var metadata = await client.GetObjectMetadataAsync(options.Bucket, stored.Key);
        Assert.Equal("image/png", metadata.Headers.ContentType);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("0123456789abcdef0123456789abcdef.exe")]
    [InlineData("0123456789abcdef0123456789abcdef.png")]
    public async Task Unknown_or_malformed_ids_read_as_nothing(string id)
    {
        var options = s3.Options(S3ServerFixture.NewBucket());
        using var client = S3ClientFactory.Create(options);
        var store = new S3ImageStore(client, options);
        await store.SaveAsync(Png, CancellationToken.None);

        Assert.Null(await store.ReadAsync(id, CancellationToken.None));
        Assert.Null(await store.OpenReadAsync(id, CancellationToken.None));
        Assert.False(await store.ExistsAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task The_retention_sweep_removes_what_was_not_stored_again_and_only_under_its_own_prefix()
    {
        var bucket = S3ServerFixture.NewBucket();
        var options = s3.Options(bucket, "a/");
        using var client = S3ClientFactory.Create(options);
        var store = new S3ImageStore(client, options);
        var neighbour = new S3ImageStore(client, s3.Options(bucket, "b/"));

        var kept = (await store.SaveAsync(Png, CancellationToken.None)).Id;
        var stale = (await store.SaveAsync(OtherPng, CancellationToken.None)).Id;
        var foreign = (await neighbour.SaveAsync(OtherPng, CancellationToken.None)).Id;
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a/not-an-image.txt", ContentBody = "keep me", UseChunkEncoding = false });
        // The later of the first two writes: they may straddle a second of the server's clock.
        var firstWrites = new[] { await LastModifiedAsync(client, bucket, "a/" + kept), await LastModifiedAsync(client, bucket, "a/" + stale) }.Max();

        // Stored again once the server's clock (one-second resolution) has moved past both: that renews it.
        DateTime renewed = default;
        await Wait.UntilAsync(async () =>
        {
            await store.SaveAsync(Png, CancellationToken.None);
            renewed = await LastModifiedAsync(client, bucket, "a/" + kept);
            return renewed > firstWrites;
        }, TimeSpan.FromSeconds(10), "storing the same bytes again renews the object's last-modified time");

        var deleted = await store.DeleteOlderThanAsync(new DateTimeOffset(renewed, TimeSpan.Zero), CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.True(await store.ExistsAsync(kept, CancellationToken.None), "the image stored again was swept");
        Assert.False(await store.ExistsAsync(stale, CancellationToken.None), "the image past its retention is still there");
        Assert.True(await neighbour.ExistsAsync(foreign, CancellationToken.None), "another deployment's prefix was swept");
        Assert.Equal("keep me", await ReadTextAsync(client, bucket, "a/not-an-image.txt"));
        Assert.Equal(0, await store.DeleteOlderThanAsync(DateTimeOffset.UtcNow.AddDays(-1), CancellationToken.None));
    }

    [Fact]
    public void Configuration_selects_the_S3_store()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ImageOrleans:Images:Store"] = "S3",
            ["ImageOrleans:Images:S3:ServiceUrl"] = s3.ServiceUrl,
            ["ImageOrleans:Images:S3:Bucket"] = "selected",
            ["ImageOrleans:Images:S3:AccessKey"] = S3Server.AccessKey,
            ["ImageOrleans:Images:S3:SecretKey"] = S3Server.SecretKey,
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddImageOrleansGrainServices(configuration, Path.GetTempPath()).BuildServiceProvider();

        Assert.IsType<S3ImageStore>(services.GetRequiredService<IImageStore>());
        Assert.Equal(ImageStoreKind.S3, services.GetRequiredService<IOptions<ImagesOptions>>().Value.Store);
    }

    [Fact]
    public void Without_configuration_the_file_store_serves()
    {
        using var services = new ServiceCollection().AddLogging().AddImageOrleansGrainServices(new ConfigurationBuilder().Build(), Path.GetTempPath()).BuildServiceProvider();
        Assert.IsType<FileImageStore>(services.GetRequiredService<IImageStore>());
    }

    [Theory]
    [InlineData(null, null, null, null, "S3:Bucket")]
    [InlineData("bucket", "ftp://example.com", null, null, "S3:ServiceUrl")]
    [InlineData("bucket", null, "key-id", null, "S3:AccessKey and")]
    [InlineData("bucket", null, null, null, null)]
    [InlineData("bucket", "http://127.0.0.1:9000", "key-id", "secret", null)]
    public void Options_name_what_is_missing_or_wrong(string? bucket, string? serviceUrl, string? accessKey, string? secretKey, string? problem)
    {
        var options = new ImagesOptions { Store = ImageStoreKind.S3, S3 = new S3StoreOptions { Bucket = bucket, ServiceUrl = serviceUrl, AccessKey = accessKey, SecretKey = secretKey } };
        var result = new ImagesOptionsValidator().Validate(null, options);
        if (problem is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.Contains(problem, result.FailureMessage, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    private static async Task<DateTime> LastModifiedAsync(AmazonS3Client client, string bucket, string key) =>
        (await client.GetObjectMetadataAsync(bucket, key)).LastModified!.Value.ToUniversalTime();

    private static async Task<string> ReadTextAsync(AmazonS3Client client, string bucket, string key)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }
}
