using Npgsql;

namespace ImageOrleans.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster in a temporary folder on a free loopback port. PostgreSQL refuses
/// to run as root, so as root it runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string Database = "imageorleans_tests";
    private readonly System.Diagnostics.Process _process;

    private PostgresServer(System.Diagnostics.Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=imageorleans;Database={Database};Maximum Pool Size=50";

    public static async Task<PostgresServer> StartAsync(string root)
    {
        var initdb = ExternalProcess.Find("initdb") ?? throw new InvalidOperationException("PostgreSQL's initdb is not installed.");
        var postgres = ExternalProcess.Find("postgres") ?? throw new InvalidOperationException("PostgreSQL's postgres is not installed.");
        var folder = Directory.CreateDirectory(Path.Combine(root, "postgres")).FullName;
        var data = Path.Combine(folder, "data");
        const string User = "postgres";
        if (ExternalProcess.IsRoot)
        {
            await ExternalProcess.RunAsync("chown", ["-R", $"{User}:{User}", folder]);
        }

        await ExternalProcess.RunAsync(initdb, ["-D", data, "-U", "imageorleans", "--auth=trust", "-E", "UTF8", "--no-locale"], User);
        var port = FreePort.Next();
        var process = ExternalProcess.Start(
            postgres,
            [
                "-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", folder,
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=400",
            ],
            Path.Combine(folder, "postgres.log"),
            User);
        var server = new PostgresServer(process, port);
        var admin = $"Host=127.0.0.1;Port={port};Username=imageorleans;Database=postgres;Timeout=2";
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with code {process.ExitCode}.");
            }

            try
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync();
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "PostgreSQL accepts connections");

        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {Database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return server;
    }

    public ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
