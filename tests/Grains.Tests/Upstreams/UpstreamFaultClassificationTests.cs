using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace ImageOrleans.Grains.Tests.Upstreams;

/// <summary>
/// Each way a real upstream breaks, injected by the simulator over real HTTP, ends as its own fault
/// class, with the outcome the retry policy and the breaker act on.
/// </summary>
public sealed class UpstreamFaultClassificationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private SimulatorServer _simulator = null!;

    public async Task InitializeAsync() => _simulator = await SimulatorServer.StartAsync(
        new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "f-500", Faults = new FaultOptions { ServerErrorRate = 1 } },
                new SimulatedKey { Key = "f-hang", Faults = new FaultOptions { TimeoutRate = 1 } },
                new SimulatedKey { Key = "f-reset", Faults = new FaultOptions { ResetRate = 1 } },
                new SimulatedKey { Key = "f-truncated", Faults = new FaultOptions { TruncatedRate = 1 } },
                new SimulatedKey { Key = "f-malformed", Faults = new FaultOptions { MalformedRate = 1 } },
                new SimulatedKey { Key = "f-slow", Faults = new FaultOptions { SlowBodyRate = 1, SlowBodyBytesPerSecond = 1 } },
                new SimulatedKey { Key = "f-none" },
            ],
        },
        timeProvider: _time);

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Theory]
    [InlineData("f-500", UpstreamFault.ServerError, OutcomeKind.ServerError)]
    [InlineData("f-hang", UpstreamFault.Hang, OutcomeKind.Timeout)]
    [InlineData("f-reset", UpstreamFault.Reset, OutcomeKind.ConnectionFailed)]
    [InlineData("f-truncated", UpstreamFault.Truncated, OutcomeKind.MalformedResponse)]
    [InlineData("f-malformed", UpstreamFault.Malformed, OutcomeKind.MalformedResponse)]
    [InlineData("f-slow", UpstreamFault.SlowBody, OutcomeKind.Timeout)]
    [InlineData("f-none", UpstreamFault.None, OutcomeKind.Success)]
    public async Task Every_fault_the_simulator_injects_has_its_own_class(string key, UpstreamFault fault, OutcomeKind kind)
    {
        using var handler = new SocketsHttpHandler();
        var client = new Client(new Factory(handler), _time);
        var account = new UpstreamAccount
        {
            Id = key,
            Kind = UpstreamKind.Compatible,
            BaseUrl = new Uri(_simulator.BaseAddress, "v1/").ToString(),
            Models = ["gpt-image-1"],
            Timeout = TimeSpan.FromSeconds(30),
        };

        var call = client.GenerateAsync(account, new ImageRequest { Model = "gpt-image-1", Prompt = "a red kite" }, CancellationToken.None);
        var result = await _time.AdvanceUntilAsync(TimeSpan.FromSeconds(1), call);

        Assert.Equal((fault, kind), (result.Fault, result.Kind));
        Assert.True(result.Sent);
        Assert.Equal(fault == UpstreamFault.None, result.Kind == OutcomeKind.Success && result.Images.Count == 1);
    }

    [Fact]
    public async Task A_hang_ends_only_when_the_accounts_timeout_has_passed()
    {
        using var handler = new SocketsHttpHandler();
        var client = new Client(new Factory(handler), _time);
        var account = new UpstreamAccount
        {
            Id = "f-hang",
            Kind = UpstreamKind.Compatible,
            BaseUrl = new Uri(_simulator.BaseAddress, "v1/").ToString(),
            Models = ["gpt-image-1"],
            Timeout = TimeSpan.FromSeconds(90),
        };

        var call = client.GenerateAsync(account, new ImageRequest { Model = "gpt-image-1", Prompt = "a red kite" }, CancellationToken.None);
        await Eventually.TrueAsync(() => _simulator.Stats.Keys["f-hang"].Snapshot().FaultsTimeout == 1, "the call reaches the upstream and hangs");

        // The fake clock fires every timer due by then inside Advance: the call's timeout is not one of them.
        _time.Advance(TimeSpan.FromSeconds(89));
        Assert.False(call.IsCompleted, "the call is still waiting for its answer a second before the timeout");

        var result = await _time.AdvanceUntilAsync(TimeSpan.FromSeconds(1), call);
        Assert.Equal(UpstreamFault.Hang, result.Fault);
        Assert.InRange(result.Latency, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(91));
    }

    private sealed class Client(IHttpClientFactory factory, TimeProvider time) : HttpUpstreamClient(factory, time)
    {
        protected override Uri BuildUri(UpstreamAccount account, ImageRequest request) => new(account.BaseUrl + "images/generations");

        // The simulator's keys are the accounts' ids here.
        protected override void Authenticate(HttpRequestMessage message, UpstreamAccount account) =>
            message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", account.Id);
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
