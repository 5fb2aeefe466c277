using ImageOrleans.Grains.Dispatch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Pool;

/// <summary>
/// This silo's cached copy of the pool's account list. Routing reads it without a grain call; it is
/// refreshed in the background once it is older than the refresh interval.
/// </summary>
public sealed partial class AccountDirectory(
    IGrainFactory grains,
    TimeProvider time,
    IOptions<DispatchOptions> options,
    ILogger<AccountDirectory> logger)
{
    private readonly TimeSpan _refreshInterval = options.Value.DirectoryRefresh;
    private readonly Lock _lock = new();
    private volatile PoolSnapshot? _snapshot;
    private DateTimeOffset _fetchedAt;
    private Task? _refresh;
    private IReadOnlySet<string> _servedModels = new HashSet<string>();
    private long _servedVersion = -1;

    /// <summary>Raised when a newer account list arrives (accounts added, changed, enabled).</summary>
    public event Action<PoolSnapshot>? Changed;

    public async ValueTask<PoolSnapshot> GetAsync()
    {
        var snapshot = _snapshot;
        if (snapshot is null)
        {
            await RefreshAsync();
            return _snapshot!;
        }

        if (time.GetUtcNow() - _fetchedAt > _refreshInterval)
        {
            StartBackgroundRefresh();
        }

        return snapshot;
    }

    /// <summary>Models served by at least one enabled account.</summary>
    public async ValueTask<IReadOnlySet<string>> GetServedModelsAsync()
    {
        var snapshot = await GetAsync();
        if (snapshot.Version != _servedVersion)
        {
            _servedModels = snapshot.Accounts
                .Where(a => a.Enabled)
                .SelectMany(a => a.Models)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            _servedVersion = snapshot.Version;
        }

        return _servedModels;
    }

    /// <summary>Fetches the list now (after a local change, or when a test needs it current).</summary>
    public async Task RefreshAsync()
    {
        var snapshot = await grains.GetGrain<IPoolGrain>(0).GetSnapshotAsync();
        bool newer;
        lock (_lock)
        {
            newer = _snapshot is null || snapshot.Version > _snapshot.Version;
            if (newer)
            {
                _snapshot = snapshot;
            }

            _fetchedAt = time.GetUtcNow();
        }

        if (newer)
        {
            Changed?.Invoke(snapshot);
        }
    }

    private void StartBackgroundRefresh()
    {
        lock (_lock)
        {
            if (_refresh is { IsCompleted: false })
            {
                return;
            }

            _refresh = RefreshQuietlyAsync();
        }
    }

    private async Task RefreshQuietlyAsync()
    {
        try
        {
            await RefreshAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Keep routing on the last known list; the next request tries again.
            LogRefreshFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Refreshing the account directory failed; routing continues on the cached list")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
