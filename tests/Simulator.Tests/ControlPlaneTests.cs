using System.Net;
using System.Text;
using ImageOrleans.Simulator.Tests.TestSupport;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

/// <summary>PUT /sim/keys/{key} and PUT /sim/faults.</summary>
public sealed class ControlPlaneTests : IAsyncLifetime
{
    private SimulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(new SimulatorOptions
    {
        Keys = [new SimulatedKey { Key = "control-existing" }],
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PutKeyAddsAKeyOverHttp()
    {
        var body = """{"requestsPerMinute":2,"imagesPerMinute":5,"models":["gpt-image-1"]}""";
        using var put = await _host.Client.PutAsync("sim/keys/control-put", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        using var ok = await _host.Client.GenerateAsync("control-put");
        Assert.Equal("2", ok.Header("x-ratelimit-limit-requests"));
        Assert.Equal("5", ok.Header("x-ratelimit-limit-images"));
        await ExpectAsync(HttpStatusCode.NotFound, _host.Client.GenerateAsync("control-put", model: "dall-e-2"));
    }

    [Theory]
    [InlineData("""{"key":"someone-else"}""")]
    [InlineData("""{"requestsPerMinute":0}""")]
    [InlineData("""{"trueLimitFactor":-1}""")]
    [InlineData("""{"faults":{"resetRate":2}}""")]
    [InlineData("not json")]
    public async Task PutKeyRejectsInvalidBodies(string body)
    {
        using var put = await _host.Client.PutAsync("sim/keys/control-invalid", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        await put.ReadErrorAsync();
        Assert.False(_host.Stats.Keys.ContainsKey("control-invalid"));
    }

    [Fact]
    public async Task PutFaultsChangesTheGlobalFaults()
    {
        using var put = await _host.Client.PutAsync("sim/faults", new StringContent("""{"serverErrorRate":1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        try
        {
            await ExpectAsync(HttpStatusCode.InternalServerError, _host.Client.GenerateAsync("control-existing"));
        }
        finally
        {
            using var clear = await _host.Client.PutAsync("sim/faults", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NoContent, clear.StatusCode);
        }

        await ExpectAsync(HttpStatusCode.OK, _host.Client.GenerateAsync("control-existing"));
        using var invalid = await _host.Client.PutAsync("sim/faults", new StringContent("""{"timeoutRate":-0.5}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    private static async Task ExpectAsync(HttpStatusCode expected, Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.Equal(expected, response.StatusCode);
    }
}
