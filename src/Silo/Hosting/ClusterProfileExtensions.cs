using System.Net;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Persistence;
using ImageOrleans.Silo.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace ImageOrleans.Silo.Hosting;

public static class ClusterProfileExtensions
{
    /// <summary>Grain storage names used by the grains; every profile provides each one.</summary>
    public static IReadOnlyList<string> StorageNames => GrainStorageNames.All;

    /// <summary>Membership, grain storage and reminders for the chosen profile.</summary>
    public static ISiloBuilder ConfigureClusterProfile(this ISiloBuilder silo, ClusterProfileOptions cluster)
    {
        switch (cluster.Mode)
        {
            case ClusterMode.Localhost:
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
                // One process holds every grain: its state stays in it, without the memory provider's
                // storage grains and JSON on every write.
                foreach (var name in StorageNames.Append(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME))
                {
                    silo.Services.AddGrainStorage(name, static (services, _) => ActivatorUtilities.CreateInstance<InProcessGrainStorage>(services));
                }

                silo.Services.AddSingleton(new StorageDurability(Durable: false));
                silo.UseInMemoryReminderService();
                break;

            case ClusterMode.Redis:
                var problems = cluster.Problems().ToList();
                if (problems.Count > 0)
                {
                    throw new OptionsValidationException(nameof(ClusterProfileOptions), typeof(ClusterProfileOptions), problems);
                }

                if (cluster.Kubernetes)
                {
                    // The pod's address comes from Kubernetes hosting; the ports stay the configured ones.
                    silo.UseKubernetesHosting();
                    silo.Configure<EndpointOptions>(o =>
                    {
                        o.SiloPort = cluster.SiloPort;
                        o.GatewayPort = cluster.GatewayPort;
                    });
                }
                else
                {
                    var address = cluster.AdvertisedAddress is { Length: > 0 } given ? IPAddress.Parse(given) : null;
                    silo.ConfigureEndpoints(address ?? FirstExternalAddress(), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
                }

                silo.UseRedisClustering(cluster.Redis.ConnectionString!);
                if (cluster.Tls.IsOn)
                {
                    silo.UseMutualTls(SiloTls.Load(cluster.Tls, TimeProvider.System), cluster.Tls.HandshakeTimeout);
                }

                silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SiloTlsReport>();

                // Notice a dead silo in seconds: until then, grains whose directory entries it held
                // cannot be placed. A crashed process refuses connections at once, so probes fail fast.
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = cluster.ProbeTimeout;
                    o.NumMissedProbesLimit = 3;
                    o.MaxJoinAttemptTime = cluster.JoinTimeout;
                });
                silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(cluster.PostgreSql.ConnectionString!));
                foreach (var name in StorageNames)
                {
                    silo.AddAdoNetGrainStorage(name, o => o.Configure<IServiceProvider>((options, services) => Postgres(options, services)));
                }

                silo.UseAdoNetReminderService(o => o.Configure<IServiceProvider>((options, services) =>
                {
                    options.Invariant = "Npgsql";
                    options.DataSource = services.GetRequiredService<NpgsqlDataSource>();
                }));
                break;

            default:
                throw new NotSupportedException($"Cluster mode {cluster.Mode} is not available.");
        }

        return silo;
    }

    /// <summary>
    /// TLS on silo-to-silo and gateway connections, both ways: every peer, silo or client, must present
    /// a certificate the configured trust accepts. Nothing is accepted on the system's trust alone.
    /// </summary>
    private static void UseMutualTls(this ISiloBuilder silo, SiloTls tls, TimeSpan handshakeTimeout)
    {
        silo.UseTls(tls.Certificate, o =>
        {
            o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            o.HandshakeTimeout = handshakeTimeout;
            o.RemoteCertificateValidation = (certificate, chain, _) => tls.Validator.IsTrusted(certificate, chain);
        });
        silo.Services.AddSingleton(tls);
    }

    private static void Postgres(AdoNetGrainStorageOptions options, IServiceProvider services)
    {
        options.Invariant = "Npgsql";
        options.DataSource = services.GetRequiredService<NpgsqlDataSource>();

        // Orleans' binary format: version tolerant by the [Id] attributes, and it keeps private
        // members (JSON serializers would silently drop an upstream key held in a private field).
        options.GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Orleans.Serialization.Serializer>());
    }

    private static IPAddress FirstExternalAddress() =>
        Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? IPAddress.Loopback;
}
