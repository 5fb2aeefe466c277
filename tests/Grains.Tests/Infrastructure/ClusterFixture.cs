using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Tests.Secrets;
using ImageOrleans.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ImageOrleans.Grains.Tests.Infrastructure;

/// <summary>
/// One in-process silo whose grains run on a fake clock (Orleans' own loops keep real time), plus
/// real simulators over HTTP on loopback that share that clock. Tests isolate themselves by using
/// their own model names, accounts and simulator keys.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private readonly List<SimulatorServer> _simulators = [];
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "io-grains-tests-" + Guid.NewGuid().ToString("N"));

    public const int QueueDepth = 8;

    public const string BillingTimeZone = "Asia/Tokyo";

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ImageOrleans:DataPath"] = _dataPath,

            // Retries happen at once: backoff would wait on the fake clock.
            ["ImageOrleans:Dispatch:BackoffBase"] = "00:00:00",

            // Small enough that overflow and displacement are cheap to provoke.
            ["ImageOrleans:Dispatch:QueueDepth"] = QueueDepth.ToString(System.Globalization.CultureInfo.InvariantCulture),

            // Requests a test left waiting do not hold up the cluster's shutdown for the default 150 s.
            ["ImageOrleans:Dispatch:DrainTimeout"] = "00:00:01",

            // Budget days begin at midnight Tokyo time (UTC+9, no daylight saving), not UTC midnight.
            ["ImageOrleans:Billing:TimeZone"] = BillingTimeZone,

            // Tests share the silo: one that fails many calls must not spend the retries of the next.
            ["ImageOrleans:Dispatch:RetryBudget"] = "1",
            ["ImageOrleans:Dispatch:RetryReserve"] = "1000000",
        }.WithTestSecrets()).AddInMemoryCollection(Settings).Build();

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            foreach (var name in GrainStorageNames.All)
            {
                silo.AddMemoryGrainStorage(name);
            }

            silo.AddMemoryGrainStorageAsDefault();

            // Client keys and accounts write behind, the ledger takes batches: their storage can be told to fail.
            foreach (var name in (string[])[GrainStorageNames.ClientKeys, GrainStorageNames.Accounts, GrainStorageNames.Usage])
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new FlakyGrainStorage(MemoryGrainStorageFactory.Create(sp, name)));
            }

            silo.Services.AddSingleton<IImageStore>(new FlakyImageStore(new FileImageStore(Path.Combine(_dataPath, "images"))));
            silo.Services.AddSingleton<TimeProvider>(Time);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.AddImageOrleansGrainServices(configuration, _dataPath);
        });
        builder.ConfigureClient(client => TestSecrets.AddTo(client.Services));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Settings a derived fixture puts over the shared ones.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>A service of the (single) silo.</summary>
    public T Silo<T>()
        where T : notnull => Cluster.Silos[0].ServiceProvider.GetRequiredService<T>();

    /// <summary>A simulator of this test's own, on the shared fake clock, cleaned up with the fixture.</summary>
    public async Task<SimulatorServer> StartSimulatorAsync(SimulatorOptions options)
    {
        var simulator = await SimulatorServer.StartAsync(options, timeProvider: Time);
        _simulators.Add(simulator);
        return simulator;
    }

    /// <summary>An account against <paramref name="simulator"/> using its key <paramref name="key"/>.</summary>
    public static UpstreamAccount Account(SimulatorServer simulator, string id, string key, string model, int perMinute = 60, int concurrency = 8) => new()
    {
        Id = id,
        Kind = UpstreamKind.Compatible,
        BaseUrl = new Uri(simulator.BaseAddress, "v1/").ToString(),
        ApiKey = new UpstreamSecret(key),
        Models = [model],
        RequestsPerMinute = perMinute,
        ImagesPerMinute = perMinute,
        MaxConcurrency = concurrency,
    };

    /// <summary>Adds or replaces accounts in the pool and makes every silo route with them at once.</summary>
    public async Task UpsertAccountsAsync(params UpstreamAccount[] accounts)
    {
        var pool = Grains.GetGrain<IPoolGrain>(0);
        foreach (var account in accounts)
        {
            await pool.UpsertAsync(account);
        }

        foreach (var silo in Cluster.Silos)
        {
            await silo.ServiceProvider.GetRequiredService<AccountDirectory>().RefreshAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var simulator in _simulators)
        {
            await simulator.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
