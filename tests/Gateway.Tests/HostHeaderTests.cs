using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Silo.Api;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Image links never point at a host a request merely claims, and images are never sniffed.</summary>
public sealed class HostHeaderTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private const string Hostile = "attacker.example";

    [Fact]
    public async Task A_hostile_host_header_does_not_become_the_origin_of_an_image_link()
    {
        using var client = gateway.Http(GatewayFactory.KeyA);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations")
        {
            Content = JsonContent.Create(new { model = "dall-e-2", prompt = "a teapot, host header test", response_format = "url" }),
        };
        request.Headers.Host = Hostile + ":443";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var url = new Uri(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("url").GetString()!);
        Assert.NotEqual(Hostile, url.Host);

        // The address the gateway listens on, where the link works.
        Assert.Equal(gateway.BaseAddress.Port, url.Port);
        using var anonymous = gateway.Http(key: null);
        using var image = await anonymous.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Refused_image_links_are_not_sniffed_either()
    {
        using var anonymous = gateway.Http(key: null);

        using var response = await anonymous.GetAsync("/v1/images/content/0123456789abcdef0123456789abcdef.png?expires=1&signature=x");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("*")]
    [InlineData("example.com;0.0.0.0")]
    [InlineData("example.com;[::]")]
    public void With_allowed_hosts_open_to_all_the_origin_is_the_listening_address_never_the_host_header(string allowedHosts)
    {
        var origin = Origin(allowedHosts.Split(';'), ["http://localhost:5000"]);

        Assert.Equal("http://localhost:5000", origin.Of(Request(Hostile, localPort: 5000, local: IPAddress.Loopback), null));
    }

    [Fact]
    public void A_wildcard_binding_gives_the_local_address_the_request_arrived_on()
    {
        var origin = Origin(["*"], ["http://+:8080", "http://[::]:8080"]);

        Assert.Equal("http://10.1.2.3:8080", origin.Of(Request(Hostile, 8080, IPAddress.Parse("10.1.2.3")), null));
        Assert.Equal("http://10.1.2.3:8080", origin.Of(Request(Hostile, 8080, IPAddress.Parse("::ffff:10.1.2.3")), null));
        Assert.Equal("http://[fd12::7]:8080", origin.Of(Request(Hostile, 8080, IPAddress.Parse("fd12::7")), null));
    }

    [Fact]
    public void A_host_that_allowed_hosts_names_is_used_and_any_other_is_not()
    {
        var origin = Origin(["images.example.com", "*.cdn.example.com"], ["http://0.0.0.0:8080"]);

        Assert.Equal("http://images.example.com:8080", origin.Of(Request("images.example.com:8080", 8080, IPAddress.Parse("10.1.2.3")), null));
        Assert.Equal("http://eu.cdn.example.com", origin.Of(Request("eu.cdn.example.com", 8080, IPAddress.Parse("10.1.2.3")), null));
        Assert.Equal("http://10.1.2.3:8080", origin.Of(Request(Hostile, 8080, IPAddress.Parse("10.1.2.3")), null));
    }

    [Fact]
    public void Images_public_base_url_wins_over_everything()
    {
        var origin = Origin(["*"], ["http://localhost:5000"]);

        Assert.Equal("https://images.example.com", origin.Of(Request(Hostile, 5000, IPAddress.Loopback), "https://images.example.com/"));
    }

    private static LinkOrigin Origin(string[] allowedHosts, string[] addresses)
    {
        var features = new FeatureCollection();
        var listening = new ServerAddressesFeature();
        foreach (var address in addresses)
        {
            listening.Addresses.Add(address);
        }

        features.Set<IServerAddressesFeature>(listening);
        var filtering = new HostFilteringOptions { AllowedHosts = allowedHosts };
        return new LinkOrigin(new StaticMonitor<HostFilteringOptions>(filtering), new FakeServer(features));
    }

    private static HttpRequest Request(string host, int localPort, IPAddress local)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        context.Connection.LocalPort = localPort;
        context.Connection.LocalIpAddress = local;
        return context.Request;
    }

    private sealed class FakeServer(IFeatureCollection features) : IServer
    {
        public IFeatureCollection Features { get; } = features;

        public void Dispose()
        {
        }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class StaticMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
