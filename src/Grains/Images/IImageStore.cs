namespace ImageOrleans.Grains.Images;

/// <summary>Where generated images live, addressed by content: the same bytes always get the same id.</summary>
public interface IImageStore
{
    ValueTask<StoredImage> SaveAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>The image's bytes, or null when there is no such image (never stored, or cleaned up).</summary>
    ValueTask<byte[]?> ReadAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>Whether the image is stored (a link to it would work).</summary>
    ValueTask<bool> ExistsAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>A readable stream for serving the image, or null when there is no such image.</summary>
    ValueTask<Stream?> OpenReadAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>Deletes images last stored before <paramref name="cutoff"/>; returns how many.</summary>
    ValueTask<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
