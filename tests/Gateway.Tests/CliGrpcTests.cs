using ImageOrleans.Client;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Silo.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests;

/// <summary><c>imageorleans generate --grpc</c>: the CLI over the gateway's gRPC front door, in-process against a test gateway.</summary>
public sealed class CliGrpcTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("io-cli-grpc-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Generate_over_grpc_writes_the_image_named_by_the_request_id()
    {
        var served = gateway.Simulator.Stats.Total.Snapshot().Served;

        var (exitCode, stdout, stderr) = await RunAsync("generate", "--grpc", Address(), "--prompt", $"a CLI fox over gRPC {Guid.NewGuid():N}", "--quality", "low", "--out", _folder);

        Assert.True(exitCode == 0, stderr);
        var path = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Trim();
        Assert.StartsWith(Path.Combine(_folder, "req_"), path, StringComparison.Ordinal);
        Assert.EndsWith("-0.png", path, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await File.ReadAllBytesAsync(path))[..4]);
        Assert.Contains("cache=miss images=1", stderr, StringComparison.Ordinal);
        Assert.Equal(served + 1, gateway.Simulator.Stats.Total.Snapshot().Served);
    }

    [Fact]
    public async Task A_refusal_over_grpc_reads_as_the_same_openai_error_as_over_http()
    {
        var (exitCode, _, stderr) = await RunAsync("generate", "--grpc", Address(), "--prompt", "who", "--model", "no-such-model");

        Assert.Equal(1, exitCode);
        Assert.Contains("404", stderr, StringComparison.Ordinal);
        Assert.Contains("model_not_found", stderr, StringComparison.Ordinal);
    }

    private string Address() => gateway.Services.GetRequiredService<GrpcFrontDoor>().Address!.ToString();

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, stdout, stderr, environment: new Dictionary<string, string?>
        {
            ["IMAGEORLEANS_BASE_URL"] = gateway.ApiBase.ToString(),
            ["IMAGEORLEANS_API_KEY"] = GatewayFactory.KeyA,
        });
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
