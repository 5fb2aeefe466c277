using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// Gives each request its side of its model's canary split, once, before it looks for an account.
/// Not sticky: an accumulator per model sends exactly the share to the canary (20 % is one request
/// in five, in turn), so shares hold on every silo however few requests it sees. Sticky: a hash of
/// the client key decides, so a key always lands on the same side. The splits are this silo's copy
/// of <see cref="ICanaryGrain"/>, refreshed in the background like the account directory.
/// </summary>
public sealed class CanaryRouter(IGrainFactory grains, TimeProvider time, IOptions<DispatchOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _credit = new(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyDictionary<string, CanarySplit> _splits = new Dictionary<string, CanarySplit>();
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;
    private Task? _refresh;

    /// <summary>The side for <paramref name="job"/>, or null when its model has no split.</summary>
    public async ValueTask<CanaryRoute?> RouteAsync(GenerationJob job)
    {
        if (_fetchedAt == DateTimeOffset.MinValue)
        {
            await RefreshAsync();
        }
        else if (time.GetUtcNow() - _fetchedAt > options.Value.DirectoryRefresh)
        {
            lock (_lock)
            {
                _refresh ??= RefreshInBackgroundAsync();
            }
        }

        return Route(job.Request.Model, job.ClientKeyId);
    }

    /// <summary>Fetches the splits now (after an operator changed them on this silo).</summary>
    public async Task RefreshAsync()
    {
        var splits = await grains.GetGrain<ICanaryGrain>(0).GetAsync();
        lock (_lock)
        {
            _splits = splits;
            _fetchedAt = time.GetUtcNow();
        }
    }

    /// <summary>The side for one request of <paramref name="model"/> from <paramref name="clientKeyId"/>.</summary>
    public CanaryRoute? Route(string model, string clientKeyId)
    {
        lock (_lock)
        {
            if (!_splits.TryGetValue(model, out var split))
            {
                return null;
            }

            bool toCanary;
            if (split.Sticky)
            {
                toCanary = Position(model, clientKeyId) < split.Share;
            }
            else
            {
                var credit = _credit.GetValueOrDefault(model) + split.Share;
                toCanary = credit >= 1 - 1e-9;
                _credit[model] = toCanary ? credit - 1 : credit;
            }

            return new CanaryRoute { Group = split.Group, ToCanary = toCanary };
        }
    }

    /// <summary>A stable point in [0, 1) for a client key and model, the same on every silo and after restarts.</summary>
    private static double Position(string model, string clientKeyId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(model.ToUpperInvariant() + "\n" + clientKeyId), hash);
        return BitConverter.ToUInt64(hash) / (ulong.MaxValue + 1.0);
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            await RefreshAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Keep the splits we have; the next request tries again.
        }
        finally
        {
            lock (_lock)
            {
                _refresh = null;
            }
        }
    }
}
