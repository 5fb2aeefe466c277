namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// Opens on a sustained failure rate: among the last <c>window</c> outcomes at least
/// <c>failureThreshold</c> failures that make up at least <c>failureRate</c> of them, or
/// <c>failureThreshold</c> failures in a row. An account that fails every call opens after
/// <c>failureThreshold</c> calls, even after a long healthy run; one whose faults are scattered (a hang
/// here, a 500 there, a fifth of its calls) stays closed: the window is long enough that chance
/// clusters of such faults do not reach the rate. Open, it lets one probe through after a cool-down and closes
/// again on its success; each failed probe doubles the cool-down up to a ceiling.
/// </summary>
public sealed class CircuitBreaker(int failureThreshold, TimeSpan openDuration, TimeSpan maxOpenDuration, double failureRate = 0.5, int window = 20)
{
    private readonly TimeSpan _baseOpenDuration = openDuration;
    private readonly bool[] _recent = new bool[Math.Max(window, failureThreshold)];
    private int _recentCount;
    private int _recentNext;
    private int _recentFailures;
    private int _consecutiveFailures;
    private TimeSpan _currentOpenDuration = openDuration;
    private bool _probeInFlight;

    public BreakerState State { get; private set; } = BreakerState.Closed;

    public DateTimeOffset? OpenUntil { get; private set; }

    public int ConsecutiveFailures => _consecutiveFailures;

    /// <summary>Failures among the recent outcomes the rate is judged on.</summary>
    public int RecentFailures => _recentFailures;

    /// <summary>Outcomes the rate is judged on (at most the window).</summary>
    public int RecentOutcomes => _recentCount;

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
        Remember(failed: false);
        if (wasProbe || State != BreakerState.Closed)
        {
            State = BreakerState.Closed;
            OpenUntil = null;
            _probeInFlight = false;
            _currentOpenDuration = _baseOpenDuration;

            // A recovered account starts a fresh history: its old failures must not reopen it at the next one.
            ForgetRecent();
        }
    }

    public void OnFailure(bool wasProbe, DateTimeOffset now)
    {
        _consecutiveFailures++;
        Remember(failed: true);
        if (wasProbe)
        {
            _probeInFlight = false;
            _currentOpenDuration = TimeSpan.FromTicks(Math.Min(maxOpenDuration.Ticks, _currentOpenDuration.Ticks * 2));
            Open(now);
        }
        else if (State == BreakerState.Closed
                 && (_consecutiveFailures >= failureThreshold || (_recentFailures >= failureThreshold && _recentFailures >= failureRate * _recentCount)))
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
        ForgetRecent();
    }

    /// <summary>Restores a persisted breaker after reactivation.</summary>
    public void Restore(BreakerState state, DateTimeOffset? openUntil, int consecutiveFailures)
    {
        State = state == BreakerState.HalfOpen ? BreakerState.Open : state;
        OpenUntil = State == BreakerState.Open ? openUntil ?? DateTimeOffset.MinValue : null;
        _consecutiveFailures = consecutiveFailures;

        // Only the run of failures survives a reactivation; it counts as the recent history.
        for (var i = 0; i < Math.Min(consecutiveFailures, _recent.Length); i++)
        {
            Remember(failed: true);
        }
    }

    private void ForgetRecent()
    {
        Array.Clear(_recent);
        (_recentCount, _recentNext, _recentFailures) = (0, 0, 0);
    }

    private void Remember(bool failed)
    {
        if (_recentCount == _recent.Length)
        {
            _recentFailures -= _recent[_recentNext] ? 1 : 0;
        }
        else
        {
            _recentCount++;
        }

        _recent[_recentNext] = failed;
        _recentFailures += failed ? 1 : 0;
        _recentNext = (_recentNext + 1) % _recent.Length;
    }

    private void Open(DateTimeOffset now)
    {
        State = BreakerState.Open;
        OpenUntil = now + _currentOpenDuration;
    }
}
