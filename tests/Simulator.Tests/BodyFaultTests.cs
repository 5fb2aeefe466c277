using System.Net;
using ImageOrleans.Simulator.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

/// <summary>Faults that break the body of a 200 rather than the call: cut short, or trickling out.</summary>
public sealed class BodyFaultTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private SimulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(
        new SimulatorOptions
        {
            Keys =
            [
                new SimulatedKey { Key = "fault-truncated", Faults = new FaultOptions { TruncatedRate = 1 } },
                new SimulatedKey { Key = "fault-slow", Faults = new FaultOptions { SlowBodyRate = 1, SlowBodyBytesPerSecond = 2 } },
            ],
        },
        _time);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task TruncatedRateOneAnnouncesTheWholeBodyAndEndsTheConnectionHalfway()
    {
        using var client = _host.NewClient();
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(client, "fault-truncated");
        }
        catch (HttpRequestException ex) when (ex.InnerException is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            // On a busy machine the connection may end before the client has read the headers: the answer
            // still ended part way, which is the fault; nothing was served.
            Assert.Equal(1, _host.Stats.Keys["fault-truncated"].FaultsTruncated);
            Assert.Equal(0, _host.Stats.Keys["fault-truncated"].Served);
            return;
        }

        using var answered = response;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var announced = response.Content.Headers.ContentLength!.Value;
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[announced];
        var received = 0;
        var ended = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(received))) > 0)
            {
                received += read;
            }
        });

        Assert.Equal(announced / 2, received);
        Assert.Contains("prematurely", ended.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, _host.Stats.Keys["fault-truncated"].FaultsTruncated);
        Assert.Equal(0, _host.Stats.Keys["fault-truncated"].Served);
    }

    [Fact]
    public async Task SlowBodyRateOneSendsTheBodyAFewBytesASecond()
    {
        using var client = _host.NewClient();
        using var response = await SendAsync(client, "fault-slow");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new List<byte>();
        var buffer = new byte[64];

        // Two bytes at once, then two more each simulated second, never more.
        for (var second = 0; second < 3; second++)
        {
            var read = body.ReadAtLeastAsync(buffer, 2).AsTask();
            for (var i = 0; i < 200 && !read.IsCompleted; i++)
            {
                _time.Advance(TimeSpan.FromMilliseconds(100));
                await Task.WhenAny(read, Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System));
            }

            var count = await read;
            Assert.Equal(2, count);
            received.AddRange(buffer.AsSpan(0, count).ToArray());
        }

        Assert.Equal("{\"crea", System.Text.Encoding.UTF8.GetString(received.ToArray()));
        Assert.Equal(1, _host.Stats.Keys["fault-slow"].FaultsSlowBody);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/images/generations")
        {
            Content = new StringContent("{\"prompt\":\"a lighthouse\",\"model\":\"gpt-image-1\",\"response_format\":\"b64_json\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
