using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Images;

/// <summary>The writer that stores answered images behind their answers, on a thread of its own.</summary>
public sealed class ImageWriteBehindTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "io-behind-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Every_queued_image_is_stored_before_the_writer_stops_and_one_saved_after_still_is()
    {
        var store = new FileImageStore(_root);
        var writer = new ImageWriteBehind(store, new AnswersBeingSent(), TimeProvider.System, NullLogger<ImageWriteBehind>.Instance);
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
        using var writer = new ImageWriteBehind(new FileImageStore(_root), new AnswersBeingSent(), TimeProvider.System, NullLogger<ImageWriteBehind>.Instance);
        var image = Image(1);

        var stored = await writer.SaveAsync(Result(Image(2)), [image]);

        Assert.False(stored);
    }

    [Fact]
    public async Task An_image_is_stored_once_the_answer_it_follows_has_been_sent()
    {
        var answers = new AnswersBeingSent();
        var store = new FileImageStore(_root);
        using var writer = new ImageWriteBehind(store, answers, new FakeTimeProvider(), NullLogger<ImageWriteBehind>.Instance);
        var image = Image(3);
        var sending = answers.Begin();

        var write = writer.SaveAsync(Result(image), [image], sending.Id);
        var other = Image(4);
        var behind = writer.SaveAsync(Result(other), [other]);

        // The writer holds the write while its answer is out, and what was queued after it waits its turn.
        await Eventually.TrueAsync(() => writer.WaitingForAnswers == 1, "the writer waits for the answer");
        Assert.False(write.IsCompleted);
        Assert.False(behind.IsCompleted);
        Assert.False(await store.ExistsAsync(ImageWriteBehind.Describe(image.Span, null).ImageId, CancellationToken.None));

        sending.Dispose();

        Assert.True(await write);
        Assert.True(await behind);
        Assert.True(await store.ExistsAsync(ImageWriteBehind.Describe(image.Span, null).ImageId, CancellationToken.None));
        Assert.Equal(0, answers.Count);
    }

    [Fact]
    public async Task A_write_waits_no_longer_than_its_bound_for_an_answer_that_is_never_sent_nor_past_the_writers_stop()
    {
        var answers = new AnswersBeingSent();
        var time = new FakeTimeProvider();
        var store = new FileImageStore(_root);
        var writer = new ImageWriteBehind(store, answers, time, NullLogger<ImageWriteBehind>.Instance);
        var stuck = answers.Begin();
        var image = Image(5);

        var write = writer.SaveAsync(Result(image), [image], stuck.Id);
        await Eventually.TrueAsync(() => writer.WaitingForAnswers == 1, "the writer waits for the answer");
        time.Advance(ImageWriteBehind.MaxDeferral - TimeSpan.FromMilliseconds(1));
        Assert.False(write.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await write);

        // Stopping ends the wait: what is queued is drained whether or not its answer went out.
        var late = Image(6);
        var last = writer.SaveAsync(Result(late), [late], stuck.Id);
        await Eventually.TrueAsync(() => writer.WaitingForAnswers == 1, "the writer waits for the answer");
        writer.Dispose();
        Assert.True(last.IsCompletedSuccessfully);
        Assert.True(await last);
        stuck.Dispose();
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
