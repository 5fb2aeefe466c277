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

        // Stored again (the same bytes): it is in use, so retention counts from now. When the retention
        // sweep removed it a moment ago the touch fails, and the image is simply written anew.
        // The touch may land on a file the sweep has just moved aside and is about to delete (it decided on
        // the older time): a path missing after the touch means the sweep took it, so write it anew.
        if (!File.Exists(path) || !TryTouch(path) || !File.Exists(path))
        {
            Write(path, content.Span);
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

    public ValueTask<bool> ExistsAsync(string imageId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ImageIds.IsValid(imageId) && File.Exists(PathOf(imageId)));

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
            if (name.EndsWith(".tmp", StringComparison.Ordinal) || name.EndsWith(".retired", StringComparison.Ordinal))
            {
                deleted += DeleteIfOlder(file, cutoff) ? 1 : 0;
            }
            else if (ImageIds.IsValid(name) && File.GetLastWriteTimeUtc(file) < cutoff.UtcDateTime)
            {
                deleted += Retire(file, cutoff) ? 1 : 0;
            }
        }

        return ValueTask.FromResult(deleted);
    }

    /// <summary>
    /// Deletes a stale image without racing a save of the same bytes: the file is first moved aside
    /// (atomic), then its time is checked again. A save that touched it before the move shows in that
    /// time and the file goes back; a save after the move finds no file and writes its own.
    /// </summary>
    private static bool Retire(string path, DateTimeOffset cutoff)
    {
        var aside = $"{path}.{Guid.NewGuid():N}.retired";
        try
        {
            File.Move(path, aside);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        if (File.GetLastWriteTimeUtc(aside) >= cutoff.UtcDateTime)
        {
            try
            {
                // Put back unless a save has meanwhile written the same bytes in its place.
                File.Move(aside, path, overwrite: false);
                return false;
            }
            catch (IOException)
            {
                // A fresh copy is already in place.
            }
        }

        File.Delete(aside);
        return true;
    }

    private static bool DeleteIfOlder(string path, DateTimeOffset cutoff)
    {
        try
        {
            if (File.GetLastWriteTimeUtc(path) >= cutoff.UtcDateTime)
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Being written or read right now: the next sweep takes it.
            return false;
        }
    }

    private static bool TryTouch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    private void Write(string path, ReadOnlySpan<byte> content)
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
            RandomAccess.Write(file, content, fileOffset: 0);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private string PathOf(string id) => Path.Combine(_root, id[..2], id);
}
