namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>The checkout the tests run from, found by walking up to the solution file.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ImageOrleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ImageOrleans.sln was not found above " + AppContext.BaseDirectory);
    }
}
