using ImageOrleans.Grains.Images;

namespace ImageOrleans.Grains.Tests.Infrastructure;

/// <summary>The real file store, whose next saves can be told to fail as a full or broken disk would.</summary>
public sealed class FlakyImageStore(IImageStore inner) : IImageStore
{
    private static int _failingSaves;

    /// <summary>The next <paramref name="count"/> saves, from any grain, throw.</summary>
    public static void FailNextSaves(int count) => Interlocked.Exchange(ref _failingSaves, count);

    public ValueTask<StoredImage> SaveAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var left = Volatile.Read(ref _failingSaves);
        while (left > 0)
        {
            if (Interlocked.CompareExchange(ref _failingSaves, left - 1, left) == left)
            {
                throw new IOException("No space left on device (injected).");
            }

            left = Volatile.Read(ref _failingSaves);
        }

        return inner.SaveAsync(content, cancellationToken);
    }

    public ValueTask<byte[]?> ReadAsync(string imageId, CancellationToken cancellationToken) => inner.ReadAsync(imageId, cancellationToken);

    public ValueTask<bool> ExistsAsync(string imageId, CancellationToken cancellationToken) => inner.ExistsAsync(imageId, cancellationToken);

    public ValueTask<Stream?> OpenReadAsync(string imageId, CancellationToken cancellationToken) => inner.OpenReadAsync(imageId, cancellationToken);

    public ValueTask<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.DeleteOlderThanAsync(cutoff, cancellationToken);
}
