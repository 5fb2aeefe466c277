using ImageOrleans.Silo.Hosting;
using Npgsql;

namespace ImageOrleans.Silo.Persistence;

/// <summary>
/// <c>ImageOrleans.Silo migrate</c>: applies the PostgreSQL schema with the configured connection
/// string and exits, for operators who run migrations as their own step.
/// </summary>
public static class SchemaCommand
{
    public static bool IsInvoked(string[] args) => args is ["migrate", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(ImageOrleansArgs.WithDefaults(args[1..]));
        var cluster = builder.Configuration.GetSection("ImageOrleans:Cluster").Get<ClusterProfileOptions>() ?? new ClusterProfileOptions();
        if (string.IsNullOrWhiteSpace(cluster.PostgreSql.ConnectionString))
        {
            await Console.Error.WriteLineAsync("Set ImageOrleans:Cluster:PostgreSql:ConnectionString (ImageOrleans__Cluster__PostgreSql__ConnectionString).");
            return 2;
        }

        await using var dataSource = NpgsqlDataSource.Create(cluster.PostgreSql.ConnectionString);
        var applied = await PostgreSqlSchema.MigrateAsync(dataSource, CancellationToken.None);
        Console.WriteLine(applied.Count == 0
            ? $"The schema is up to date (version {PostgreSqlSchema.LatestVersion})."
            : $"Applied schema version(s) {string.Join(", ", applied)}; now at {PostgreSqlSchema.LatestVersion}.");
        return 0;
    }
}
