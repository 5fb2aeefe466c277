namespace ImageOrleans.Grains.Files;

/// <summary>One file of the Files API (keyed by file id). Only the key that created it sees it; any other key finds nothing.</summary>
public interface IFileGrain : IGrainWithStringKey
{
    /// <summary>Stores the file; <paramref name="content"/> is null for a batch's result file, whose lines the batch holds.</summary>
    Task<FileObject> CreateAsync(FileObject file, byte[]? content);

    [ReadOnly]
    Task<FileObject?> GetAsync(string keyId);

    /// <summary>An upload's bytes; null when the file is not this key's, is gone, or is a batch's result file.</summary>
    [ReadOnly]
    Task<byte[]?> ReadAsync(string keyId);

    Task<bool> DeleteAsync(string keyId);
}
