using ImageOrleans.Silo.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ImageOrleans.Silo.Persistence;

/// <summary>
/// Brings the PostgreSQL schema up to date before the silo starts (Redis mode), or checks that an
/// operator did so when automatic migration is off.
/// </summary>
public sealed partial class SchemaMigrationService(
    IOptions<ClusterProfileOptions> cluster,
    IServiceProvider services,
    ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (cluster.Value.Mode != ClusterMode.Redis)
        {
            return;
        }

        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        if (cluster.Value.PostgreSql.ApplySchema)
        {
            var applied = await PostgreSqlSchema.MigrateAsync(dataSource, cancellationToken);
            LogMigrated(logger, applied.Count, PostgreSqlSchema.LatestVersion);
            return;
        }

        var current = await PostgreSqlSchema.CurrentVersionAsync(dataSource, cancellationToken);
        if (current < PostgreSqlSchema.LatestVersion)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL schema is at version {current}, this build needs {PostgreSqlSchema.LatestVersion}. Run the silo once with the 'migrate' command, or set ImageOrleans:Cluster:PostgreSql:ApplySchema=true.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "PostgreSQL schema: applied {Applied} script(s), now at version {Version}")]
    private static partial void LogMigrated(ILogger logger, int applied, int version);
}
