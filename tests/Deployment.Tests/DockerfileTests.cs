using System.Text.Json;
using ImageOrleans.Testing;

namespace ImageOrleans.Deployment.Tests;

/// <summary>
/// No Docker engine runs where the tests run, so the Dockerfile is checked against what it relies on:
/// every path it copies exists (in the repository, or in the output of the publish it runs) and its
/// entry point is the published program.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly IReadOnlyList<DockerInstruction> Instructions = DockerInstruction.Parse(File.ReadAllText(Repository.PathOf("Dockerfile")));

    private static string FinalStage => Instructions.Last(i => i.Keyword == "FROM").Stage;

    [Fact]
    public void Every_path_copied_from_the_build_context_exists_and_is_not_ignored()
    {
        var ignore = DockerIgnore.Parse(File.ReadAllText(Repository.PathOf(".dockerignore")));
        var copies = Instructions.Where(i => i.Keyword is "COPY" or "ADD" && i.Option("from") is null).ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            foreach (var source in copy.Words.SkipLast(1))
            {
                var relative = source.TrimEnd('/');
                Assert.True(File.Exists(Repository.PathOf(relative)) || Directory.Exists(Repository.PathOf(relative)), $"COPY {source}: no such path in the repository.");
                Assert.False(ignore.Ignores(relative), $"COPY {source}: .dockerignore leaves it out of the build context.");
            }
        }

        // The sources the publish compiles must reach the build context; the tests and k8s need not.
        Assert.False(ignore.Ignores("src/Silo/Program.cs"));
        Assert.True(ignore.Ignores("src/Silo/bin/Release/net10.0/ImageOrleans.Silo.dll"));
        Assert.True(ignore.Ignores("tests/Deployment.Tests/DockerfileTests.cs"));
    }

    [Fact]
    public async Task The_runtime_stage_copies_what_the_publish_produces_and_runs_the_published_dll()
    {
        var publish = Instructions.Single(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal));
        var words = publish.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var project = words[2];
        var output = words[Array.IndexOf(words, "-o") + 1].TrimEnd('/');
        var published = Path.Combine(Path.GetTempPath(), "io-publish-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The build already happened (this project references the silo); publish only lays it out.
            await ExternalProcess.RunAsync("dotnet", ["publish", Repository.PathOf(project), "-c", Repository.Configuration, "--no-build", "--nologo", "-o", published], timeout: TimeSpan.FromMinutes(3));

            var workdir = Instructions.Last(i => i.Stage == FinalStage && i.Keyword == "WORKDIR").Arguments.TrimEnd('/');
            var fromBuild = Instructions.Where(i => i.Keyword == "COPY" && i.Option("from") == publish.Stage).ToList();
            var copy = Assert.Single(fromBuild);
            Assert.Equal(FinalStage, copy.Stage);
            var source = copy.Words[0].TrimEnd('/');
            Assert.True(source == output || source.StartsWith(output + "/", StringComparison.Ordinal), $"COPY --from={publish.Stage} {source}: not under the publish output {output}.");
            var copied = Path.Combine(published, source[output.Length..].TrimStart('/'));
            Assert.True(Directory.Exists(copied) || File.Exists(copied), $"COPY --from={publish.Stage} {source}: the publish produced no such path.");
            var destination = copy.Words[1].TrimEnd('/');
            Assert.True(destination == "." || destination == workdir, $"The program is copied to {destination}, not the working folder {workdir}.");

            var entrypoint = JsonSerializer.Deserialize<string[]>(Instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments)!;
            Assert.Equal("dotnet", entrypoint[0]);
            var dll = entrypoint[1];
            Assert.Equal(Path.GetFileNameWithoutExtension(project) + ".dll", dll);
            Assert.True(File.Exists(Path.Combine(copied, dll)), $"ENTRYPOINT names {dll}, which the publish did not produce.");
            Assert.True(File.Exists(Path.Combine(copied, Path.ChangeExtension(dll, ".runtimeconfig.json"))), "dotnet needs the runtimeconfig beside the dll.");
            Assert.True(File.Exists(Path.Combine(copied, "appsettings.json")), "The published program's defaults (appsettings.json) are missing.");
        }
        finally
        {
            if (Directory.Exists(published))
            {
                Directory.Delete(published, recursive: true);
            }
        }
    }

    [Fact]
    public void The_runtime_stage_runs_as_a_non_root_user_writing_only_to_the_data_path_and_leaves_health_to_kubernetes()
    {
        var final = Instructions.Where(i => i.Stage == FinalStage).ToList();
        var user = final.Last(i => i.Keyword == "USER").Arguments;
        Assert.False(user is "root" or "0" or "0:0", $"USER {user} is root.");
        Assert.Contains("ImageOrleans__DataPath=/data", final.Where(i => i.Keyword == "ENV").Select(i => i.Arguments).SelectMany(a => a.Split(' ')));
        Assert.Contains(final, i => i.Keyword == "RUN" && i.Arguments.Contains("chown", StringComparison.Ordinal) && i.Arguments.Contains("/data", StringComparison.Ordinal));
        Assert.DoesNotContain(Instructions, i => i.Keyword == "HEALTHCHECK");
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", final[0].Arguments, StringComparison.Ordinal);
    }
}
