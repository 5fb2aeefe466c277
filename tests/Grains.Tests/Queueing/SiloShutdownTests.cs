using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Persistence;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Grains.Tests.Secrets;
using ImageOrleans.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace ImageOrleans.Grains.Tests.Queueing;

/// <summary>A silo that stops under load still answers everything it accepted: served, or refused with an error.</summary>
public sealed class SiloShutdownTests : IAsyncLifetime
{
    private const string Model = "shutdown-model";
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "io-shutdown-tests-" + Guid.NewGuid().ToString("N"));
    private InProcessTestCluster _cluster = null!;
    private SimulatorServer _simulator = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorServer.StartAsync(new SimulatorOptions
        {
            Keys = [new SimulatedKey { Key = "shutdown-key" }],
            Latency = new LatencyOptions { Distribution = "fixed", MedianMs = 200 },
        });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ImageOrleans:DataPath"] = _dataPath,
            ["ImageOrleans:Dispatch:DrainTimeout"] = "00:00:02",
        }.WithTestSecrets()).Build();

        // State survives the silo that stops, as it does in every production profile: both silos keep it in
        // one store outside either of them, as a database would.
        var storageServices = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(UpstreamAccount).Assembly));
        TestSecrets.AddTo(storageServices.AddLogging());
        var storage = ActivatorUtilities.CreateInstance<InProcessGrainStorage>(storageServices.BuildServiceProvider());

        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            foreach (var name in GrainStorageNames.All.Append(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME))
            {
                silo.Services.AddGrainStorage(name, (_, _) => storage);
            }

            silo.Services.AddImageOrleansGrainServices(configuration, _dataPath);
        });
        builder.ConfigureClient(client => TestSecrets.AddTo(client.Services));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await _cluster.Client.GetGrain<IPoolGrain>(0).UpsertAsync(new UpstreamAccount
        {
            Id = "shutdown-account",
            Kind = UpstreamKind.Compatible,
            BaseUrl = new Uri(_simulator.BaseAddress, "v1/").ToString(),
            ApiKey = new UpstreamSecret("shutdown-key"),
            Models = [Model],
            RequestsPerMinute = 6000,
            ImagesPerMinute = 6000,
            MaxConcurrency = 64,
        });
    }

    [Fact]
    public async Task No_accepted_request_is_lost_when_a_silo_stops_under_load()
    {
        var now = DateTimeOffset.UtcNow;

        // Eighty requests at once against a pool that takes 31 at once and then earns a hundred a second:
        // some are in flight upstream and many wait, on both silos, when one of them is told to stop.
        var calls = Enumerable.Range(0, 80).Select(i =>
        {
            var job = Jobs.For(Model, $"shutdown {i}", now, wait: TimeSpan.FromSeconds(6));
            return _cluster.Client.GetGrain<IPromptCacheGrain>(CacheKey.For(job.Tenant, job.Request)).GetOrGenerateAsync(job, CancellationToken.None);
        }).ToList();

        // Stop a silo that holds waiting requests (the cache grains live where the client's gateway is).
        InProcessSiloHandle? leaving = null;
        await Eventually.TrueAsync(
            () => (leaving = _cluster.Silos.FirstOrDefault(s => s.ServiceProvider.GetRequiredService<CapacityScheduler>().Waiting > 0)) is not null
                  && _simulator.Stats.Total.Snapshot().Served > 0,
            "a silo has requests waiting for capacity after the upstream has made some images");

        // Every image the upstream made, before the stop or while the silo drains, reaches its caller. (How
        // many the pool makes before the silo stops taking work depends on the machine's speed.)
        var madeBeforeStop = _simulator.Stats.Total.Snapshot().Served;
        await _cluster.StopSiloAsync(leaving!);
        var replies = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60));

        var served = replies.Count(r => r.Result is not null);
        var refused = replies.Where(r => r.Error is not null).ToList();
        Assert.Equal(80, served + refused.Count);
        Assert.All(refused, r => Assert.Contains(r.Error!.Code, (string[])["node_shutting_down", "queue_timeout"]));
        Assert.True(served >= madeBeforeStop, $"every image made before the stop is delivered ({served} of {madeBeforeStop})");
        Assert.Equal(served, (int)_simulator.Stats.Total.Snapshot().Served);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _simulator.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
