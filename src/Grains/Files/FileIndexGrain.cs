using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.Files;

/// <inheritdoc cref="IFileIndexGrain"/>
public sealed class FileIndexGrain(
    [PersistentState("files", GrainStorageNames.Files)] IPersistentState<FileIndexState> state) : Grain, IFileIndexGrain
{
    public async Task AddAsync(FileObject file)
    {
        if (state.State.Files.Exists(f => f.Id == file.Id))
        {
            return;
        }

        state.State.Files.Add(file);
        await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string fileId)
    {
        if (state.State.Files.RemoveAll(f => f.Id == fileId) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<FilePage> ListAsync(string? after, int limit, string? purpose)
    {
        IEnumerable<FileObject> newestFirst = Enumerable.Reverse(state.State.Files);
        if (after is not null)
        {
            newestFirst = newestFirst.SkipWhile(f => f.Id != after).Skip(1);
        }

        var matching = newestFirst.Where(f => purpose is null || f.Purpose == purpose).Take(limit + 1).ToList();
        return Task.FromResult(new FilePage { Files = matching.Take(limit).ToList(), HasMore = matching.Count > limit });
    }
}
