using System.Buffers;
using System.Security.Cryptography;

namespace ImageOrleans.Grains.Requests;

/// <summary>
/// The files of edits and variations while their request runs: each part is streamed to its own file
/// through one small buffer (hashed on the way), so memory stays bounded whatever the upload's size,
/// and every upstream attempt re-reads the file as a real file part. The request deletes its files
/// when it ends; files a crash left behind are swept at start-up.
/// </summary>
public sealed class UploadStore
{
    private const int BufferBytes = 64 * 1024;

    private readonly string _root;

    public UploadStore(string root)
    {
        _root = System.IO.Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    /// <summary>Copies <paramref name="source"/> into a new file of at most <paramref name="maxBytes"/>; throws <see cref="UploadTooLargeException"/> past it.</summary>
    public async Task<InputImage> SaveAsync(Stream source, string? fileName, long maxBytes, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var path = PathOf(id);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, BufferBytes, useAsync: true))
            {
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferBytes), cancellationToken)) > 0)
                {
                    length += read;
                    if (length > maxBytes)
                    {
                        throw new UploadTooLargeException($"larger than {maxBytes} bytes");
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await file.FlushAsync(cancellationToken);
                var header = ImageHeader.Read(file);
                return new InputImage
                {
                    FileId = id,
                    Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset()),
                    FileName = SafeName(fileName, header),
                    ContentType = header?.ContentType ?? "application/octet-stream",
                    Length = length,
                    Width = header?.Width ?? 0,
                    Height = header?.Height ?? 0,
                    HasAlpha = header?.HasAlpha ?? false,
                };
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Opens a stored upload for one upstream attempt; null when it is gone (request over, or another silo's).</summary>
    public Stream? OpenRead(InputImage image)
    {
        try
        {
            return new FileStream(PathOf(image.FileId), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferBytes, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public bool Exists(InputImage image) => File.Exists(PathOf(image.FileId));

    public void Delete(IEnumerable<InputImage> images)
    {
        foreach (var image in images)
        {
            try
            {
                File.Delete(PathOf(image.FileId));
            }
            catch (IOException)
            {
                // Still open by an attempt on its way out; the start-up sweep takes it.
            }
        }
    }

    /// <summary>Deletes uploads older than <paramref name="cutoff"/> (left by a crash); returns how many.</summary>
    public int DeleteOlderThan(DateTimeOffset cutoff)
    {
        var deleted = 0;
        foreach (var file in new DirectoryInfo(_root).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < cutoff.UtcDateTime)
            {
                file.Delete();
                deleted++;
            }
        }

        return deleted;
    }

    private string PathOf(string id) => System.IO.Path.Combine(_root, ImageIdOnly(id));

    // Ids are the store's own 32 hex digits; anything else never names a path.
    private static string ImageIdOnly(string id) =>
        id.Length == 32 && id.All(char.IsAsciiHexDigitLower) ? id : throw new ArgumentException("Not an upload id.", nameof(id));

    private static string SafeName(string? fileName, ImageHeader? header)
    {
        var name = System.IO.Path.GetFileName(fileName ?? string.Empty);
        var clean = new string([.. name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_').Take(64)]);
        return clean.Length > 0 ? clean : $"image.{header?.Format ?? "bin"}";
    }
}
