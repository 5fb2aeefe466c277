using ImageOrleans.Grains.Images;

namespace ImageOrleans.Grains.Tests.Images;

public sealed class ImageStoreTests : IDisposable
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "io-store-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Saves_by_content_and_reads_back()
    {
        var store = new FileImageStore(_root);

        var first = await store.SaveAsync(Png, CancellationToken.None);
        var second = await store.SaveAsync(Png, CancellationToken.None);

        Assert.Equal(first.Id, second.Id);
        Assert.EndsWith(".png", first.Id, StringComparison.Ordinal);
        Assert.Equal("image/png", first.ContentType);
        Assert.Equal(Png, await store.ReadAsync(first.Id, CancellationToken.None));
        await using var stream = await store.OpenReadAsync(first.Id, CancellationToken.None);
        Assert.NotNull(stream);
    }

    [Fact]
    public async Task A_save_racing_the_retention_sweep_never_fails_and_leaves_the_image_stored()
    {
        var store = new FileImageStore(_root);
        var id = (await store.SaveAsync(Png, CancellationToken.None)).Id;
        var path = Path.Combine(_root, id[..2], id);
        var cutoff = DateTimeOffset.UtcNow.AddMinutes(-1);

        // Each round the stored copy is stale, and a save of the same bytes meets the sweep that removes it.
        for (var round = 0; round < 300; round++)
        {
            File.SetLastWriteTimeUtc(path, cutoff.UtcDateTime.AddHours(-1));
            using var start = new Barrier(2);
            var save = Task.Run(async () =>
            {
                start.SignalAndWait();
                return await store.SaveAsync(Png, CancellationToken.None);
            });
            var sweep = Task.Run(async () =>
            {
                start.SignalAndWait();
                return await store.DeleteOlderThanAsync(cutoff, CancellationToken.None);
            });

            Assert.Equal(id, (await save).Id);
            await sweep;
            Assert.True(File.Exists(path), $"round {round}: the image a save just stored was swept away");
        }

        Assert.Empty(Directory.EnumerateFiles(_root, "*.retired", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("0123456789abcdef0123456789abcdef.exe")]
    [InlineData("0123456789ABCDEF0123456789abcdef.png")]
    [InlineData("0123456789abcdef0123456789abcdef.png")]
    public async Task Unknown_or_malformed_ids_read_as_nothing(string id)
    {
        var store = new FileImageStore(_root);
        Assert.Null(await store.ReadAsync(id, CancellationToken.None));
        Assert.Null(await store.OpenReadAsync(id, CancellationToken.None));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "jpeg")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50 }, "webp")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39 }, "gif")]
    [InlineData(new byte[] { 1, 2, 3 }, "bin")]
    public void Formats_are_recognised_from_their_bytes(byte[] content, string extension) =>
        Assert.Equal(extension, ImageFormat.Detect(content).Extension);

    [Fact]
    public void Signed_links_verify_only_unchanged_and_unexpired()
    {
        var signer = new ImageUrlSigner("0123456789abcdef0123456789abcdef"u8.ToArray());
        var now = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        const string Id = "0123456789abcdef0123456789abcdef.png";
        var signature = signer.Sign(Id, 1_000_060);

        Assert.True(signer.Verify(Id, 1_000_060, signature, now));
        Assert.False(signer.Verify(Id, 1_000_061, signature, now));
        Assert.False(signer.Verify("1123456789abcdef0123456789abcdef.png", 1_000_060, signature, now));
        Assert.False(signer.Verify(Id, 1_000_060, signature, now.AddSeconds(61)));
        Assert.False(signer.Verify(Id, 1_000_060, "not-base64!", now));
        Assert.False(new ImageUrlSigner("another-key-another-key-another-k"u8.ToArray()).Verify(Id, 1_000_060, signature, now));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
