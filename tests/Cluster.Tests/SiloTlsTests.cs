using System.Net;
using ImageOrleans.Cluster.Tests.Infrastructure;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Simulator;
using ImageOrleans.Testing;

namespace ImageOrleans.Cluster.Tests;

/// <summary>
/// In the production profile silo and gateway ports speak mutual TLS: whoever lacks the cluster's
/// certificate can neither join the cluster nor call a grain through a gateway.
/// </summary>
[Collection(ServersTests.Name)]
public sealed class SiloTlsTests(ServersFixture servers)
{
    private const string Tls = "ImageOrleans:Cluster:Tls:";

    [Fact]
    public async Task Silos_without_the_clusters_certificate_cannot_join_it()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = "tls-join-1", RequestsPerMinute = 600, ImagesPerMinute = 600 }] });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
            ProcessCluster.Account(settings, simulator, "j1", "tls-join-1", perMinute: 600));
        await cluster.StartAsync(1);

        // One intruder presents another self-signed certificate, the other speaks plain TCP. Both give up
        // after their join timeout instead of the default five minutes.
        var stranger = Settings(cluster, TestCertificates.SiloSettings(TestCertificates.CreateSelfSigned("imageorleans-cluster-tests"), Path.Combine(servers.Root, cluster.Id, "stranger"), "stranger"));
        var plain = Settings(cluster, new Dictionary<string, string?> { [Tls + "Enabled"] = "false" });
        await using var withStranger = SiloProcess.Launch(1, stranger, cluster.LogFolder);
        await using var withoutTls = SiloProcess.Launch(2, plain, cluster.LogFolder);
        SiloProcess[] intruders = [withStranger, withoutTls];

        await Wait.UntilAsync(async () =>
        {
            foreach (var intruder in intruders.Where(i => !i.HasExited))
            {
                Assert.False(await intruder.IsReadyAsync(), $"silo {intruder.Index} without the cluster's certificate became ready:\n{SiloProcess.Tail(intruder.LogFile)}");
            }

            return intruders.All(i => i.HasExited);
        }, TimeSpan.FromSeconds(120), "both silos without the cluster's certificate fail their connectivity check and exit (join timeout 10 s)");

        Assert.All(intruders, i => Assert.NotEqual(0, i.ExitCode));
        Assert.Contains("carry cluster traffic in clear", SiloProcess.Tail(withoutTls.LogFile, int.MaxValue), StringComparison.Ordinal);
        Assert.All(intruders, i => Assert.Contains("Failed to get ping responses from", SiloProcess.Tail(i.LogFile, int.MaxValue), StringComparison.Ordinal));

        // The cluster, asked through a client with the certificate, never counted them, and still serves.
        await using var client = GatewayClient.Start(cluster.Id, cluster.Silos[0].GatewayPort, ProcessCluster.Certificate, ProcessCluster.Certificate);
        await client.ConnectedAsync(TimeSpan.FromSeconds(60));
        var active = await client.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal([cluster.Silos[0].SiloPort], active.Keys.Select(s => s.Endpoint.Port));
        using var response = await cluster.GenerateAsync(0, "after the intruders");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_plain_orleans_client_cannot_call_through_the_gateway_port_and_one_with_the_certificate_can()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions { Keys = [new SimulatedKey { Key = "tls-client-1", RequestsPerMinute = 600, ImagesPerMinute = 600 }] });
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, settings =>
            ProcessCluster.Account(settings, simulator, "c1", "tls-client-1", perMinute: 600));
        await cluster.StartAsync(1);
        var gateway = cluster.Silos[0].GatewayPort;
        using var stranger = TestCertificates.CreateSelfSigned("imageorleans-cluster-tests");

        // The pool holds every upstream key: exactly what an outsider at the gateway port must not read.
        await using (var plain = GatewayClient.Start(cluster.Id, gateway, null, ProcessCluster.Certificate))
        {
            await plain.RefusedAsync(TimeSpan.FromSeconds(60));
        }

        await using (var untrusted = GatewayClient.Start(cluster.Id, gateway, stranger, ProcessCluster.Certificate))
        {
            await untrusted.RefusedAsync(TimeSpan.FromSeconds(60));
        }

        await using var trusted = GatewayClient.Start(cluster.Id, gateway, ProcessCluster.Certificate, ProcessCluster.Certificate);
        await trusted.ConnectedAsync(TimeSpan.FromSeconds(60));
        var pool = await trusted.Grains.GetGrain<IPoolGrain>(0).GetSnapshotAsync();
        Assert.Equal(["c1"], pool.Accounts.Select(a => a.Id));
        var log = SiloProcess.Tail(cluster.Silos[0].LogFile, int.MaxValue);
        Assert.Contains("Silo and gateway ports use mutual TLS: certificate CN=imageorleans-cluster-tests", log, StringComparison.Ordinal);
        Assert.Contains("The remote certificate was rejected by the provided RemoteCertificateValidationCallback", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_silo_refuses_to_start_without_tls_settings_or_with_a_missing_certificate_naming_the_setting()
    {
        await using var simulator = await SimulatorServer.StartAsync(new SimulatorOptions());
        await using var cluster = await ProcessCluster.CreateAsync(servers, simulator, _ => { });
        var missing = Path.Combine(servers.Root, cluster.Id, "tls", "missing.pfx");
        var unconfigured = Settings(cluster, new Dictionary<string, string?>());
        unconfigured.Remove(Tls + "Certificate:Path");
        unconfigured.Remove(Tls + "Certificate:Password");
        await using var withoutTls = SiloProcess.Launch(0, unconfigured, cluster.LogFolder);
        await using var withMissingFile = SiloProcess.Launch(1, Settings(cluster, new Dictionary<string, string?> { [Tls + "Certificate:Path"] = missing }), cluster.LogFolder);

        await Wait.UntilAsync(() => Task.FromResult(withoutTls.HasExited && withMissingFile.HasExited), TimeSpan.FromSeconds(60),
            "both misconfigured silos stop at start-up");

        Assert.NotEqual(0, withoutTls.ExitCode);
        Assert.NotEqual(0, withMissingFile.ExitCode);
        Assert.Contains("set ImageOrleans:Cluster:Tls:Certificate:Path", SiloProcess.Tail(withoutTls.LogFile), StringComparison.Ordinal);
        Assert.Contains("ImageOrleans:Cluster:Tls:Enabled=false", SiloProcess.Tail(withoutTls.LogFile), StringComparison.Ordinal);
        Assert.Contains($"ImageOrleans:Cluster:Tls:Certificate:Path: the file '{missing}' does not exist.", SiloProcess.Tail(withMissingFile.LogFile), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(ProcessCluster cluster, Dictionary<string, string?> changes)
    {
        var settings = new Dictionary<string, string?>(cluster.Settings) { ["ImageOrleans:Cluster:JoinTimeout"] = "00:00:10" };
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return settings;
    }
}
