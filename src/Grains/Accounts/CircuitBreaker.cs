namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// Opens after a run of consecutive failures, lets one probe through after a cool-down and closes
/// again on its success; each failed probe doubles the cool-down up to a ceiling.
/// </summary>
public sealed class CircuitBreaker(int failureThreshold, TimeSpan openDuration, TimeSpan maxOpenDuration)
{
    private readonly TimeSpan _baseOpenDuration = openDuration;
    private int _consecutiveFailures;
    private TimeSpan _currentOpenDuration = openDuration;
    private bool _probeInFlight;

    public BreakerState State { get; private set; } = BreakerState.Closed;

    public DateTimeOffset? OpenUntil { get; private set; }

    public int ConsecutiveFailures => _consecutiveFailures;

    /// <summary>The one probe of a half-open breaker is out and has not reported yet.</summary>
    public bool ProbeInFlight => _probeInFlight;

    /// <summary>Whether a call may go through now; in half-open state only one probe at a time.</summary>
    public bool Allows(DateTimeOffset now, out bool isProbe)
    {
        isProbe = false;
        if (State == BreakerState.Open && now >= OpenUntil)
        {
            State = BreakerState.HalfOpen;
        }

        switch (State)
        {
            case BreakerState.Closed:
                return true;
            case BreakerState.HalfOpen when !_probeInFlight:
                _probeInFlight = true;
                isProbe = true;
                return true;
            default:
                return false;
        }
    }

    /// <summary>When the breaker will next let a call through, if it is holding them back now.</summary>
    public DateTimeOffset? BlockedUntil(DateTimeOffset now) => State switch
    {
        BreakerState.Open when now < OpenUntil => OpenUntil,
        _ => null,
    };

    public void OnSuccess(bool wasProbe)
    {
        _consecutiveFailures = 0;
        if (wasProbe || State != BreakerState.Closed)
        {
            State = BreakerState.Closed;
            OpenUntil = null;
            _probeInFlight = false;
            _currentOpenDuration = _baseOpenDuration;
        }
    }

    public void OnFailure(bool wasProbe, DateTimeOffset now)
    {
        _consecutiveFailures++;
        if (wasProbe)
        {
            _probeInFlight = false;
            _currentOpenDuration = TimeSpan.FromTicks(Math.Min(maxOpenDuration.Ticks, _currentOpenDuration.Ticks * 2));
            Open(now);
        }
        else if (State == BreakerState.Closed && _consecutiveFailures >= failureThreshold)
        {
            Open(now);
        }
    }

    /// <summary>A probe that ended without telling anything about the account's health.</summary>
    public void OnProbeAbandoned(bool wasProbe)
    {
        if (wasProbe)
        {
            _probeInFlight = false;
        }
    }

    /// <summary>Closes the breaker and forgets its back-off: an operator fixed the cause.</summary>
    public void Reset()
    {
        State = BreakerState.Closed;
        OpenUntil = null;
        _consecutiveFailures = 0;
        _probeInFlight = false;
        _currentOpenDuration = _baseOpenDuration;
    }

    /// <summary>Restores a persisted breaker after reactivation.</summary>
    public void Restore(BreakerState state, DateTimeOffset? openUntil, int consecutiveFailures)
    {
        State = state == BreakerState.HalfOpen ? BreakerState.Open : state;
        OpenUntil = State == BreakerState.Open ? openUntil ?? DateTimeOffset.MinValue : null;
        _consecutiveFailures = consecutiveFailures;
    }

    private void Open(DateTimeOffset now)
    {
        State = BreakerState.Open;
        OpenUntil = now + _currentOpenDuration;
    }
}
