using System.Net;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Tests.Upstreams;

/// <summary>The rules held at connect time, on the HTTP clients the silo registers for upstreams and webhooks.</summary>
public sealed class EgressPolicyTests
{
    [Fact]
    public async Task A_host_name_that_resolves_to_a_metadata_address_is_refused_when_connecting()
    {
        var policy = Policy(IPAddress.Parse("169.254.169.254"));
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = policy.ConnectAsync });

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("http://innocent.example/latest/meta-data/")));

        Assert.Equal(HttpRequestError.ConnectionError, refused.HttpRequestError);
        Assert.Contains("egress policy", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_allowed_addresses_of_a_name_are_connected_to()
    {
        using var upstream = new LocalHttpServer(r => r.StatusCode = 200);
        // The metadata address first: a plain connect would try it before loopback.
        var policy = Policy(IPAddress.Parse("169.254.169.254"), IPAddress.Loopback);
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = policy.ConnectAsync });

        using var response = await http.GetAsync(new Uri($"http://mixed.example:{upstream.Port}/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, upstream.Hits);
    }

    [Fact]
    public async Task The_registered_upstream_client_refuses_a_metadata_address_and_hosts_off_the_allow_list()
    {
        using var listed = new LocalHttpServer(r => r.StatusCode = 200);
        await using var services = Services(("ImageOrleans:Upstreams:AllowedHosts:0", "localhost"));
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpUpstreamClient.HttpClientName);

        var metadata = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("http://169.254.169.254/latest/meta-data/")));
        Assert.Contains("link-local or cloud-metadata", metadata.ToString(), StringComparison.Ordinal);

        // 127.0.0.1 is not on the list (only the name localhost is), so the listener is never reached.
        var unlisted = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(listed.Url)));
        Assert.Contains("is not in ImageOrleans:Upstreams:AllowedHosts", unlisted.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, listed.Hits);

        using var allowed = await http.GetAsync(new Uri($"http://localhost:{listed.Port}/"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(1, listed.Hits);
    }

    [Fact]
    public async Task The_embedded_simulator_stays_reachable_under_an_allow_list_that_does_not_name_it()
    {
        using var simulator = new LocalHttpServer(r => r.StatusCode = 200);
        await using var services = Services(("ImageOrleans:Upstreams:AllowedHosts:0", "api.openai.com"));
        services.GetRequiredService<EmbeddedSimulatorEndpoint>().Set(new Uri(simulator.Url));
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpUpstreamClient.HttpClientName);

        using var response = await http.GetAsync(new Uri(simulator.Url + "v1/images/generations"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(services.GetRequiredService<EgressPolicy>().Refusal(new Uri(simulator.Url)));
    }

    [Fact]
    public async Task Webhooks_never_follow_a_redirect()
    {
        using var elsewhere = new LocalHttpServer(r => r.StatusCode = 200);
        using var hook = new LocalHttpServer(r =>
        {
            r.StatusCode = 302;
            r.RedirectLocation = elsewhere.Url;
        });
        await using var services = Services();
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(BudgetAlertNotifier.HttpClientName);

        using var response = await http.PostAsync(new Uri(hook.Url), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(1, hook.Hits);
        Assert.Equal(0, elsewhere.Hits);
    }

    [Fact]
    public async Task Webhooks_are_held_to_the_egress_rules_when_connecting()
    {
        await using var services = Services();
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(BudgetAlertNotifier.HttpClientName);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(new Uri("http://[fd00:ec2::254]/hook"), new StringContent("{}")));

        Assert.Contains("link-local or cloud-metadata", refused.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A policy without allow-list whose every name resolves to <paramref name="addresses"/>.</summary>
    private static EgressPolicy Policy(params IPAddress[] addresses) =>
        new(Options.Create(new UpstreamsOptions()), new EmbeddedSimulatorEndpoint(), NullLogger<EgressPolicy>.Instance)
        {
            Resolve = (_, _) => Task.FromResult(addresses),
        };

    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageOrleansGrainServices(configuration, Path.GetTempPath());
        return services.BuildServiceProvider();
    }
}
