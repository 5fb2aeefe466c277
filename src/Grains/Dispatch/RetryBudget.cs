namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// Bounds the extra upstream load retries may add, as Envoy's retry budgets and gRPC's retry
/// throttling do: every request a silo dispatches earns <c>share</c> of a retry, every retry after a
/// fault spends one. Unused retries are banked up to <c>reserve</c> (and the silo starts with the
/// reserve full), so scattered faults in a healthy pool are always retried while an outage that
/// fails every call adds at most <c>share</c> × requests + <c>reserve</c> calls, then requests fail fast.
/// </summary>
public sealed class RetryBudget
{
    private readonly Lock _lock = new();
    private readonly double _share;
    private readonly double _capacity;
    private double _tokens;

    public RetryBudget(double share, int reserve)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(share);
        ArgumentOutOfRangeException.ThrowIfNegative(reserve);
        _share = share;

        // At least one whole retry must fit, or shares could never add up to one.
        _capacity = Math.Max(reserve, 1);
        _tokens = reserve;
    }

    /// <summary>The budget the dispatch settings describe.</summary>
    public static RetryBudget From(DispatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RetryBudget(options.RetryBudget, options.RetryReserve);
    }

    /// <summary>Retries that may be made now.</summary>
    public double Available
    {
        get
        {
            lock (_lock)
            {
                return _tokens;
            }
        }
    }

    /// <summary>A request starts its first upstream call: it earns its share of a retry.</summary>
    public void OnRequest()
    {
        lock (_lock)
        {
            _tokens = Math.Min(_capacity, _tokens + _share);
        }
    }

    /// <summary>Takes one retry, or false when the budget is spent and the request should fail fast.</summary>
    public bool TryRetry()
    {
        lock (_lock)
        {
            // A hair of tolerance, so five shares of 0.2 make one retry despite binary fractions.
            if (_tokens < 1 - 1e-9)
            {
                return false;
            }

            _tokens = Math.Max(0, _tokens - 1);
            return true;
        }
    }
}
