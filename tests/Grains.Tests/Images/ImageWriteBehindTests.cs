using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Images;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageOrleans.Grains.Tests.Images;

/// <summary>The writer that stores answered images behind their answers, on a thread of its own.</summary>
public sealed class ImageWriteBehindTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "io-behind-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Every_queued_image_is_stored_before_the_writer_stops_and_one_saved_after_still_is()
    {
        var store = new FileImageStore(_root);
        var writer = new ImageWriteBehind(store, NullLogger<ImageWriteBehind>.Instance);
        var images = Enumerable.Range(0, 50).Select(Image).ToList();

        var writes = images.Select(image => writer.SaveAsync(Result(image), [image])).ToList();
        writer.Dispose();

        // Stopping drained the queue: every write had reached the store when Dispose returned.
        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully && w.Result));
        foreach (var image in images)
        {
            Assert.True(await store.ExistsAsync(ImageWriteBehind.Describe(image.Span, null).ImageId, CancellationToken.None));
        }

        var late = Image(99);
        Assert.True(await writer.SaveAsync(Result(late), [late]));
        Assert.True(await store.ExistsAsync(ImageWriteBehind.Describe(late.Span, null).ImageId, CancellationToken.None));
    }

    [Fact]
    public async Task An_image_the_store_names_otherwise_than_its_answer_is_reported_not_stored()
    {
        using var writer = new ImageWriteBehind(new FileImageStore(_root), NullLogger<ImageWriteBehind>.Instance);
        var image = Image(1);

        var stored = await writer.SaveAsync(Result(Image(2)), [image]);

        Assert.False(stored);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static ReadOnlyMemory<byte> Image(int seed) => new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, (byte)seed, (byte)(seed >> 8), 7 };

    private static GenerationResult Result(ReadOnlyMemory<byte> image) => new()
    {
        Created = 1,
        Images = [ImageWriteBehind.Describe(image.Span, null)],
        AccountId = "acc",
    };
}
