namespace ImageOrleans.Deployment.Tests;

/// <summary>The repository the tests were built from: its root folder and the build configuration.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ImageOrleans.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No ImageOrleans.sln above {AppContext.BaseDirectory}.");
    }
}
