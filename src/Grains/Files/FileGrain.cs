using ImageOrleans.Grains.Configuration;

namespace ImageOrleans.Grains.Files;

/// <inheritdoc cref="IFileGrain"/>
public sealed class FileGrain(
    [PersistentState("file", GrainStorageNames.Files)] IPersistentState<FileState> state) : Grain, IFileGrain
{
    public async Task<FileObject> CreateAsync(FileObject file, byte[]? content)
    {
        if (state.State.File is { } existing)
        {
            return existing;
        }

        state.State = new FileState { File = file, Content = content };
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IFileIndexGrain>(file.KeyId).AddAsync(file);
        return file;
    }

    public Task<FileObject?> GetAsync(string keyId) => Task.FromResult(Owned(keyId));

    public Task<byte[]?> ReadAsync(string keyId) => Task.FromResult(Owned(keyId) is not null ? state.State.Content : null);

    public async Task<bool> DeleteAsync(string keyId)
    {
        if (Owned(keyId) is not { } file)
        {
            return false;
        }

        await GrainFactory.GetGrain<IFileIndexGrain>(keyId).RemoveAsync(file.Id);
        state.State = new FileState();
        await state.ClearStateAsync();
        DeactivateOnIdle();
        return true;
    }

    private FileObject? Owned(string keyId) => state.State.File is { } file && file.KeyId == keyId ? file : null;
}
