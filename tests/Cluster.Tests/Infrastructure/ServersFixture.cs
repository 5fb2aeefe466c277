using ImageOrleans.Testing;

namespace ImageOrleans.Cluster.Tests.Infrastructure;

/// <summary>
/// Redis and PostgreSQL for the whole test run: the ones ./test.sh started (named by environment
/// variables), or started here on free loopback ports when the tests run on their own.
/// </summary>
public sealed class ServersFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "io-cluster-tests-" + Guid.NewGuid().ToString("N"));
    private RedisServer? _redis;
    private PostgresServer? _postgres;

    public string RedisConnectionString { get; private set; } = string.Empty;

    public string PostgresConnectionString { get; private set; } = string.Empty;

    public string Root => _root;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var redis = Environment.GetEnvironmentVariable("IMAGEORLEANS_TEST_REDIS");
        var postgres = Environment.GetEnvironmentVariable("IMAGEORLEANS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(redis))
        {
            _redis = await RedisServer.StartAsync(_root);
            redis = _redis.ConnectionString;
        }

        if (string.IsNullOrEmpty(postgres))
        {
            _postgres = await PostgresServer.StartAsync(_root);
            postgres = _postgres.ConnectionString;
        }

        (RedisConnectionString, PostgresConnectionString) = (redis, postgres);
    }

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        // IMAGEORLEANS_TEST_KEEP_LOGS=1 keeps the silo logs (and data) for a look after a failure.
        if (Environment.GetEnvironmentVariable("IMAGEORLEANS_TEST_KEEP_LOGS") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing its files; the temporary folder is cleaned by the system.
        }
    }
}
