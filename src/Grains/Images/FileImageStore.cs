namespace ImageOrleans.Grains.Images;

/// <summary>
/// Images as files under one folder, fanned out by the first two characters of the id. Writes go to a
/// temporary file first and are moved into place, so a reader never sees half an image.
/// </summary>
public sealed class FileImageStore(string root) : IImageStore
{
    private readonly string _root = Path.GetFullPath(root);

    // The 256 fan-out folders, once known to exist, are not asked about again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _folders = new(StringComparer.Ordinal);

    public ValueTask<StoredImage> SaveAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        // A synchronous write of a few hundred kilobytes costs less than the thread hops of an
        // asynchronous one on Linux, where file I/O is not truly asynchronous anyway.
        var format = ImageFormat.Detect(content.Span);
        var id = ImageIds.For(content.Span, format);
        var path = PathOf(id);
        if (!File.Exists(path))
        {
            var folder = Path.GetDirectoryName(path)!;
            if (!_folders.ContainsKey(folder))
            {
                Directory.CreateDirectory(folder);
                _folders.TryAdd(folder, true);
            }

            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            using (var file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
            {
                RandomAccess.Write(file, content.Span, fileOffset: 0);
            }

            File.Move(temporary, path, overwrite: true);
        }
        else
        {
            // Stored again (the same bytes): it is in use, so retention counts from now.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }

        return ValueTask.FromResult(new StoredImage { Id = id, ContentType = format.ContentType, Length = content.Length });
    }

    public ValueTask<byte[]?> ReadAsync(string imageId, CancellationToken cancellationToken)
    {
        if (!ImageIds.IsValid(imageId))
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        try
        {
            return ValueTask.FromResult<byte[]?>(File.ReadAllBytes(PathOf(imageId)));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult<byte[]?>(null);
        }
    }

    public ValueTask<Stream?> OpenReadAsync(string imageId, CancellationToken cancellationToken)
    {
        if (!ImageIds.IsValid(imageId))
        {
            return ValueTask.FromResult<Stream?>(null);
        }

        try
        {
            Stream stream = new FileStream(PathOf(imageId), FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            return ValueTask.FromResult<Stream?>(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult<Stream?>(null);
        }
    }

    public ValueTask<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_root))
        {
            return ValueTask.FromResult(0);
        }

        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            var stale = ImageIds.IsValid(name) || name.EndsWith(".tmp", StringComparison.Ordinal);
            if (stale && File.GetLastWriteTimeUtc(file) < cutoff.UtcDateTime)
            {
                try
                {
                    File.Delete(file);
                    deleted++;
                }
                catch (IOException)
                {
                    // Being written or read right now: the next sweep takes it.
                }
            }
        }

        return ValueTask.FromResult(deleted);
    }

    private string PathOf(string id) => Path.Combine(_root, id[..2], id);
}
