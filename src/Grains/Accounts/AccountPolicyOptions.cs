namespace ImageOrleans.Grains.Accounts;

/// <summary>How accounts pace themselves and react to failure (section <c>ImageOrleans:AccountPolicy</c>).</summary>
public sealed class AccountPolicyOptions
{
    /// <summary>
    /// Pace at this much below the per-minute limit. With a burst of at most this share of the limit
    /// (one request at least), no 60-s window can hold more than the limit: burst + a minute's refill
    /// stays under it.
    /// </summary>
    public double RateMargin { get; set; } = 0.005;

    /// <summary>
    /// Share of the per-minute limit a full bucket may spend at once (at least one request, and for
    /// images the largest request). Small, so requests are spread evenly: an upstream that counts over
    /// short windows sees no burst, and the first minute holds no more than the limit.
    /// </summary>
    public double BurstFraction { get; set; } = 0.005;

    /// <summary>
    /// What was sent is counted for a minute plus this long, and never more than the limit in that
    /// window: covers the spread between our grant and the upstream's count of the call.
    /// </summary>
    public TimeSpan WindowGuard { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Once a 429 shows the upstream counting over short windows, each window's share is spread over
    /// the window plus this long, so the spread between our grant and the upstream's count cannot put
    /// two windows' calls into one.
    /// </summary>
    public TimeSpan ShortWindowGuard { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Failures among the last <see cref="BreakerWindow"/> outcomes it takes, at least, to open the
    /// breaker; this many in a row open it whatever the window holds.
    /// </summary>
    public int BreakerFailureThreshold { get; set; } = 5;

    /// <summary>
    /// Share of the last <see cref="BreakerWindow"/> outcomes that must be failures to open the breaker:
    /// a sustained fault rate opens it, scattered faults (a hang now and then) do not.
    /// </summary>
    public double BreakerFailureRate { get; set; } = 0.5;

    /// <summary>
    /// How many recent outcomes the breaker judges its failure rate on. Over 20, an account failing a
    /// fifth of its calls at random reached half of some window every few hundred calls and was shut
    /// out for nothing; over 40 that takes tens of thousands.
    /// </summary>
    public int BreakerWindow { get; set; } = 40;

    /// <summary>
    /// After a breaker's probe succeeds, the account's pace ramps up over this window (10 %, 25 %,
    /// 50 %, a third of the window each, then 100 %) instead of snapping back to full load.
    /// Zero turns the ramp off.
    /// </summary>
    public TimeSpan RecoveryRamp { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan BreakerOpenDuration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakerMaxOpenDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Cool-down after a 429 that said nothing about when to come back.</summary>
    public TimeSpan DefaultRateLimitCooldown { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound on any cool-down an upstream asks for.</summary>
    public TimeSpan MaxRateLimitCooldown { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an account stays out for a model after quota/permission errors before one probe.</summary>
    public TimeSpan ExclusionRecheck { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Added to the account timeout to get a lease's lifetime; an unreported lease frees its slot after it.</summary>
    public TimeSpan LeaseGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long freed capacity is held for the silo that has waited longest before anyone may take
    /// it; keeps silos that are far from an account's grain from being outrun by the one it lives on.
    /// </summary>
    public TimeSpan SiloReservation { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often changed health and counters are written to grain storage (never per request).</summary>
    public TimeSpan PersistInterval { get; set; } = TimeSpan.FromSeconds(5);

    public double LatencyEwmaAlpha { get; set; } = 0.2;
    public int SuccessWindow { get; set; } = 50;

    /// <summary>Lowest share of the configured rate that learning from 429s may pace an account at.</summary>
    public double MinLearnedRateFactor { get; set; } = 0.2;

    /// <summary>
    /// After a 429 lowered the pace, every this long without another the pace moves halfway back up
    /// to just under the pace that failed, so recovery finds the real limit in seconds.
    /// </summary>
    public TimeSpan RateRecoveryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Recovery stops just under the pace that drew the last 429 until this long without one has
    /// passed; only then does the account probe higher again.
    /// </summary>
    public TimeSpan RateProbeAfter { get; set; } = TimeSpan.FromMinutes(30);
}
