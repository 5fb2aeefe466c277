namespace ImageOrleans.Grains.Images;

/// <summary>
/// Images as files under one folder, fanned out by the first two characters of the id. Writes go to a
/// temporary file first and are moved into place, so a reader never sees half an image.
/// </summary>
public sealed class FileImageStore(string root) : IImageStore
{
    private readonly string _root = Path.GetFullPath(root);

    public async ValueTask<StoredImage> SaveAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var format = ImageFormat.Detect(content.Span);
        var id = ImageIds.For(content.Span, format);
        var path = PathOf(id);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllBytesAsync(temporary, content, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }

        return new StoredImage { Id = id, ContentType = format.ContentType, Length = content.Length };
    }

    public async ValueTask<byte[]?> ReadAsync(string imageId, CancellationToken cancellationToken)
    {
        if (!ImageIds.IsValid(imageId))
        {
            return null;
        }

        try
        {
            return await File.ReadAllBytesAsync(PathOf(imageId), cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
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

    private string PathOf(string id) => Path.Combine(_root, id[..2], id);
}
