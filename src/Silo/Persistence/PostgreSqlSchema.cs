using System.Reflection;
using Npgsql;

namespace ImageOrleans.Silo.Persistence;

/// <summary>
/// The gateway's PostgreSQL schema: numbered scripts shipped inside this assembly, applied in order,
/// each once, recorded in <c>imageorleans_schema_migrations</c>. Every run holds a transaction-scoped
/// advisory lock, so silos starting together apply the scripts exactly once between them.
/// </summary>
public static partial class PostgreSqlSchema
{
    // An arbitrary constant that names "the ImageOrleans schema" among advisory locks.
    private const long MigrationLock = 0x496D_6167_654F_726C;

    private static readonly IReadOnlyList<(int Version, string Name)> Scripts = Discover();

    /// <summary>The newest script version this build knows.</summary>
    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>Applies the scripts the database does not have yet; returns the versions applied now.</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"select pg_advisory_xact_lock({MigrationLock})", cancellationToken);
        await ExecuteAsync(connection, transaction, """
            create table if not exists imageorleans_schema_migrations
            (
                version    integer      not null primary key,
                name       varchar(200) not null,
                applied_at timestamptz  not null default now()
            )
            """, cancellationToken);

        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("select version from imageorleans_schema_migrations", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var now = new List<int>();
        foreach (var (version, name) in Scripts)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, await ReadScriptAsync(name), cancellationToken);
            await using var record = new NpgsqlCommand("insert into imageorleans_schema_migrations (version, name) values (@version, @name)", connection, transaction);
            record.Parameters.AddWithValue("version", version);
            record.Parameters.AddWithValue("name", ScriptName(name));
            await record.ExecuteNonQueryAsync(cancellationToken);
            now.Add(version);
        }

        await transaction.CommitAsync(cancellationToken);
        return now;
    }

    /// <summary>The highest version applied to the database, 0 for a database without the schema.</summary>
    public static async Task<int> CurrentVersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select coalesce(max(version), 0) from imageorleans_schema_migrations where to_regclass('imageorleans_schema_migrations') is not null");
        try
        {
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string> ReadScriptAsync(string resource)
    {
        await using var stream = typeof(PostgreSqlSchema).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The schema script {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private static List<(int, string)> Discover()
    {
        var scripts = new List<(int, string)>();
        foreach (var resource in typeof(PostgreSqlSchema).Assembly.GetManifestResourceNames())
        {
            var name = ScriptName(resource);
            if (resource.EndsWith(".sql", StringComparison.Ordinal)
                && name.Length > 5
                && int.TryParse(name.AsSpan(0, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
            {
                scripts.Add((version, resource));
            }
        }

        scripts.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return scripts.Count > 0 ? scripts : throw new InvalidOperationException("No schema scripts are embedded in the build.");
    }

    // Embedded resource names are "<namespace>.<folder>.<file>"; the file name is what is recorded.
    private static string ScriptName(string resource)
    {
        var withoutExtension = resource[..^".sql".Length];
        var dot = withoutExtension.LastIndexOf('.');
        return (dot < 0 ? withoutExtension : withoutExtension[(dot + 1)..]) + ".sql";
    }
}
