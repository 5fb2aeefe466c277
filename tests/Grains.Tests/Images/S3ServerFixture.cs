using ImageOrleans.Grains.Images;
using ImageOrleans.Testing;

namespace ImageOrleans.Grains.Tests.Images;

/// <summary>One S3-compatible server for the store tests; each test works in its own bucket.</summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "io-s3-" + Guid.NewGuid().ToString("N"));
    private S3Server? _server;

    public string ServiceUrl => _server!.ServiceUrl;

    /// <summary>Options for a store on a fresh bucket (created on first use) under <paramref name="prefix"/>.</summary>
    public S3StoreOptions Options(string bucket, string prefix = "images/") => new()
    {
        ServiceUrl = ServiceUrl,
        Bucket = bucket,
        KeyPrefix = prefix,
        AccessKey = S3Server.AccessKey,
        SecretKey = S3Server.SecretKey,
        ForcePathStyle = true,
        CreateBucket = true,
    };

    public static string NewBucket() => "io-" + Guid.NewGuid().ToString("N")[..20];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _server = await S3Server.StartAsync(_root);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The server still closing its files; the temporary folder is cleaned by the system.
        }
    }
}
