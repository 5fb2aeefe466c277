namespace ImageOrleans.Client.Tests.Testing;

/// <summary>A fresh directory per test, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("imageorleans-client-tests-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
