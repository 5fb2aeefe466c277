using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Idempotency;
using ImageOrleans.Silo.GrpcApi;
using ImageOrleans.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Every options class is checked at start-up: a bad value stops the gateway with a message naming the setting.</summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Cache:SweepInterval", "00:00:10", "ImageOrleans:Cache:SweepInterval" },
        { "Cache:Ttl", "-00:01:00", "ImageOrleans:Cache:Ttl" },
        { "Idempotency:Retention", "00:00:00", "ImageOrleans:Idempotency:Retention" },
        { "FrontDoor:MaxRequestBodyBytes", "100", "ImageOrleans:FrontDoor:MaxRequestBodyBytes" },
        { "Cluster:SiloPort", "70000", "ImageOrleans:Cluster:SiloPort" },
        { "Cluster:ProbeTimeout", "00:00:00", "ImageOrleans:Cluster:ProbeTimeout" },
        { "Simulator:Accounts", "0", "ImageOrleans:Simulator:Accounts" },
        { "Simulator:MaxConcurrency", "0", "ImageOrleans:Simulator:MaxConcurrency" },
        { "Admin:KeyHash", "abc123", "ImageOrleans:Admin:KeyHash" },
        { "Admin:Key", "short", "ImageOrleans:Admin:Key" },
        { "Grpc:Url", "localhost:5001", "ImageOrleans:Grpc:Url" },
        { "Grpc:WebAllowedOrigins:0", "https://app.example.com/path", "ImageOrleans:Grpc:WebAllowedOrigins" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_value_stops_start_up_naming_the_setting(string setting, string value, string named)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "io-options-" + Guid.NewGuid().ToString("N"));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath(), Args = ["--urls", "http://127.0.0.1:0"] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ImageOrleans:DataPath"] = dataPath,
            ["ImageOrleans:Grpc:Url"] = "http://127.0.0.1:0",
            ["ImageOrleans:" + setting] = value,
        });
        builder.AddImageOrleansSilo();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        if (Directory.Exists(dataPath))
        {
            Directory.Delete(dataPath, recursive: true);
        }

        Assert.Contains(error.Failures, f => f.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new CacheOptionsValidator().Validate(null, new CacheOptions()).Succeeded);
        Assert.True(new IdempotencyOptionsValidator().Validate(null, new IdempotencyOptions()).Succeeded);
        Assert.True(new FrontDoorOptionsValidator().Validate(null, new FrontDoorOptions()).Succeeded);
        Assert.True(new ClusterProfileOptionsValidator().Validate(null, new ClusterProfileOptions()).Succeeded);
        Assert.True(new EmbeddedSimulatorOptionsValidator().Validate(null, new EmbeddedSimulatorOptions()).Succeeded);
        Assert.True(new AdminOptionsValidator().Validate(null, new AdminOptions()).Succeeded);
        Assert.True(new GrpcOptionsValidator().Validate(null, new GrpcOptions()).Succeeded);
    }

    [Fact]
    public void A_valid_admin_hash_and_key_pass_and_are_never_echoed()
    {
        var hash = new string('a', 64);
        Assert.True(new AdminOptionsValidator().Validate(null, new AdminOptions { KeyHash = hash, Key = "sk-admin-key-long-enough-0123" }).Succeeded);

        var refused = new AdminOptionsValidator().Validate(null, new AdminOptions { KeyHash = "zz" + hash[2..], Key = "tiny-secret" });
        Assert.True(refused.Failed);
        Assert.DoesNotContain("tiny-secret", refused.FailureMessage, StringComparison.Ordinal);
    }
}
