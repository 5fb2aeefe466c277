namespace ImageOrleans.Grains.Files;

/// <summary>The files of one client key (keyed by key id), for listing.</summary>
public interface IFileIndexGrain : IGrainWithStringKey
{
    Task AddAsync(FileObject file);

    Task RemoveAsync(string fileId);

    /// <summary>Newest first, starting after the file <paramref name="after"/> (a cursor); only <paramref name="purpose"/> when given.</summary>
    [ReadOnly]
    Task<FilePage> ListAsync(string? after, int limit, string? purpose);
}
