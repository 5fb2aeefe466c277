using System.Globalization;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Persistence;
using ImageOrleans.Grains.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.ClientKeys;

/// <inheritdoc cref="IClientKeyGrain"/>
public sealed partial class ClientKeyGrain(
    [PersistentState("key", GrainStorageNames.ClientKeys)] IPersistentState<ClientKeyState> state,
    IOptions<BillingOptions> billing,
    ImageOrleansMetrics metrics,
    BudgetAlertNotifier notifier,
    StorageDurability durability,
    TimeProvider time,
    ILogger<ClientKeyGrain> logger) : Grain, IClientKeyGrain
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryBackoff = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PeriodCheck = TimeSpan.FromMinutes(15);

    // Settlements are resent only within seconds of the first try; this covers far more than that.
    private const int RememberedSettlements = 10_000;

    private readonly Dictionary<Guid, Reservation> _reservations = [];
    private readonly TimeZoneInfo _zone = billing.Value.Zone();
    private TokenBucket? _requests;
    private TokenBucket? _images;
    private readonly HashSet<Guid> _settled = [];
    private readonly Queue<Guid> _settledOrder = new();
    private readonly WriteBehind _writes = new(time, FlushInterval, MaxRetryBackoff);
    private DateTimeOffset _periodsFrom = DateTimeOffset.MaxValue;
    private DateTimeOffset _periodsUntil = DateTimeOffset.MinValue;

    private string Id => this.GetPrimaryKeyString();

    private ClientKeyState S => state.State;

    private ClientKeySettings? Settings => S.Settings;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        BuildBuckets();
        this.RegisterGrainTimer(FlushCoreAsync, new GrainTimerCreationOptions { DueTime = FlushInterval, Period = FlushInterval, Interleave = false });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!durability.SaveOn(reason))
        {
            return Task.CompletedTask;
        }

        // Whatever is pending is written now, back-off or not: this is the last chance.
        return FlushCoreAsync(force: true, cancellationToken);
    }

    public ValueTask<ClientKeyView?> GetAsync() => ValueTask.FromResult(Settings is null ? null : View());

    public async ValueTask<ClientKeyView> CreateAsync(ClientKeySettings settings, string hash, string hint)
    {
        if (Settings is not null)
        {
            throw new InvalidOperationException($"Client key '{Id}' already exists.");
        }

        S.Settings = settings;
        S.Hash = hash;
        S.Hint = hint;
        S.CreatedAt = time.GetUtcNow();
        BuildBuckets();
        await state.WriteStateAsync();
        await Registry.SetAsync(Id, hash, null);
        return View();
    }

    public async ValueTask<ClientKeyView> SeedAsync(ClientKeySettings settings, string hash, string hint, string fingerprint)
    {
        // Configuration that did not change since the last seed leaves admin edits alone.
        if (Settings is not null && S.SeedFingerprint == fingerprint)
        {
            return View();
        }

        var newKey = S.Hash != hash;
        S.Settings = settings;
        S.SeedFingerprint = fingerprint;
        S.Hint = hint;
        if (S.CreatedAt == default)
        {
            S.CreatedAt = time.GetUtcNow();
        }

        if (newKey)
        {
            S.Hash = hash;
            S.Revoked = false;
            S.RevokedAt = null;
        }

        BuildBuckets();
        await state.WriteStateAsync();
        await Registry.SetAsync(Id, hash, null);
        if (newKey)
        {
            await Registry.RemoveHashesAsync(Id, keep: hash);
        }

        return View();
    }

    public async ValueTask<ClientKeyView?> UpdateAsync(ClientKeySettings settings)
    {
        if (Settings is null)
        {
            return null;
        }

        S.Settings = settings;
        BuildBuckets();
        await state.WriteStateAsync();
        return View();
    }

    public async ValueTask<ClientKeyView?> RotateAsync(string newHash, string hint, TimeSpan grace)
    {
        if (Settings is null || S.Revoked)
        {
            return null;
        }

        var previous = S.Hash;
        var until = time.GetUtcNow() + grace;
        S.PreviousHash = previous;
        S.PreviousValidUntil = until;
        S.Hash = newHash;
        S.Hint = hint;
        await state.WriteStateAsync();
        await Registry.SetAsync(Id, newHash, null);
        if (previous is not null)
        {
            await Registry.SetAsync(Id, previous, until);
        }

        return View();
    }

    public async ValueTask<ClientKeyView?> RevokeAsync()
    {
        if (Settings is null)
        {
            return null;
        }

        S.Revoked = true;
        S.RevokedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await Registry.RemoveHashesAsync(Id, keep: null);
        LogRevoked(logger, Id);
        return View();
    }

    public ValueTask<Admission> AdmitAsync(AdmissionRequest request)
    {
        var now = time.GetUtcNow();
        if (Settings is not { } settings || S.Revoked)
        {
            return Refuse(GatewayErrors.InvalidApiKey() with { Message = "This client key has been revoked." }, now);
        }

        RollPeriods(now);
        ReclaimExpired(now);

        if (settings.AllowedModels.Count > 0 && !settings.AllowedModels.Contains(request.Model, StringComparer.OrdinalIgnoreCase))
        {
            return Refuse(GatewayErrors.ModelNotAllowed(request.Model), now);
        }

        var wait = Max(_requests?.TimeUntil(1, now) ?? TimeSpan.Zero, _images?.TimeUntil(request.Images, now) ?? TimeSpan.Zero);
        if (wait == TimeSpan.MaxValue)
        {
            return Refuse(GatewayErrors.Invalid("n", string.Create(CultureInfo.InvariantCulture,
                $"This key may generate at most {settings.ImagesPerMinute} images a minute; ask for fewer at once."), "images_per_minute_exceeded"), now);
        }

        if (wait > TimeSpan.Zero)
        {
            return Refuse(GatewayErrors.KeyRateLimited(wait, "Rate limit reached for this client key."), now);
        }

        if (settings.MaxConcurrency > 0 && _reservations.Count >= settings.MaxConcurrency)
        {
            return Refuse(GatewayErrors.KeyRateLimited(TimeSpan.FromSeconds(1), string.Create(CultureInfo.InvariantCulture,
                $"This client key has {settings.MaxConcurrency} requests in progress, its limit.")), now);
        }

        // Reserve the worst case, so requests racing at the edge of the budget can never overspend it.
        var available = Available();
        var chosen = request.Options.Count > 0 && request.Options[0].WorstCaseUsd <= available ? 0 : -1;
        if (chosen < 0 && settings.BudgetPolicy == BudgetPolicy.Downgrade)
        {
            for (var i = 1; i < request.Options.Count && chosen < 0; i++)
            {
                chosen = request.Options[i].WorstCaseUsd <= available ? i : -1;
            }
        }

        if (chosen < 0)
        {
            return Refuse(GatewayErrors.BudgetExceeded(available), now);
        }

        _requests?.TryTake(1, now);
        _images?.TryTake(request.Images, now);
        var id = Guid.NewGuid();
        _reservations[id] = new Reservation(request.Options.Count > 0 ? request.Options[chosen].WorstCaseUsd : 0m, request.ReservationExpires);
        return ValueTask.FromResult(new Admission
        {
            ReservationId = id,
            DowngradedTo = chosen > 0 ? request.Options[chosen].Quality : null,
            Quota = Quota(now),
        });
    }

    public async ValueTask<Admission> AdmitServedAsync(AdmissionRequest request, Settlement settlement)
    {
        if (Settings is not null && !S.Revoked && _settled.Contains(settlement.Id))
        {
            // A try whose answer was lost: admitted and booked then, nothing is taken or booked again.
            return new Admission { ReservationId = settlement.Id, Quota = Quota(time.GetUtcNow()) };
        }

        var admission = await AdmitAsync(request);
        if (admission is { Error: null, DowngradedTo: null, ReservationId: { } reservation })
        {
            await SettleAsync(settlement with { ReservationId = reservation });
        }

        return admission;
    }

    public ValueTask<RateLimitInfo> GetQuotaAsync() => ValueTask.FromResult(Quota(time.GetUtcNow()));

    public ValueTask SettleAsync(Settlement settlement)
    {
        if (Settings is null || !Remember(settlement.Id))
        {
            return ValueTask.CompletedTask;
        }

        var now = time.GetUtcNow();
        RollPeriods(now);
        var reserved = _reservations.Remove(settlement.ReservationId, out var reservation) ? reservation.Amount : (decimal?)null;

        // The reservation is the ceiling: the budget holds even if a price table was too low. A generation
        // whose reservation is gone (lapsed, or freed by a request answered from it) is still paid in full:
        // the upstream produced it, so it is never free, even if that takes the key past its budget.
        var cost = Math.Max(0m, settlement.CostUsd);
        var charge = reserved is { } ceiling ? Math.Min(cost, ceiling) : cost;
        if (cost > charge)
        {
            LogCostAboveReservation(logger, Id, settlement.Model, cost, charge);
        }

        S.DaySpentUsd += charge;
        S.MonthSpentUsd += charge;
        S.SavedUsd += settlement.SavedUsd;
        var usageKey = $"{S.DayKey}|{settlement.Model}|{settlement.Quality ?? "default"}";
        if (!S.PendingUsage.TryGetValue(usageKey, out var counters))
        {
            S.PendingUsage[usageKey] = counters = new UsageCounters();
        }

        counters.Requests++;
        counters.Images += settlement.Succeeded ? settlement.Images : 0;
        counters.SpendUsd += charge;
        counters.SavedUsd += settlement.SavedUsd;
        counters.CacheHits += settlement.Cache is CacheStatus.Hit or CacheStatus.Coalesced ? 1 : 0;
        counters.Failed += settlement.Succeeded ? 0 : 1;
        counters.Generated += settlement.GeneratedImages;
        metrics.Charged(Id, settlement.Model, charge, settlement.SavedUsd);
        RaiseAlerts(now);
        _writes.MarkDirty();
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(Guid reservationId)
    {
        _reservations.Remove(reservationId);
        return ValueTask.CompletedTask;
    }

    public async ValueTask FlushUsageAsync() => await FlushCoreAsync(force: true, CancellationToken.None);

    /// <summary>True the first time a settlement id is seen; a resent settlement is booked once.</summary>
    private bool Remember(Guid settlementId)
    {
        if (settlementId == Guid.Empty)
        {
            return true;
        }

        if (!_settled.Add(settlementId))
        {
            return false;
        }

        _settledOrder.Enqueue(settlementId);
        if (_settledOrder.Count > RememberedSettlements)
        {
            _settled.Remove(_settledOrder.Dequeue());
        }

        return true;
    }

    private IClientKeyRegistryGrain Registry => GrainFactory.GetGrain<IClientKeyRegistryGrain>(0);

    private decimal Available()
    {
        var reserved = Reserved();
        var day = Settings?.DailyBudgetUsd is { } daily ? daily - S.DaySpentUsd - reserved : decimal.MaxValue;
        var month = Settings?.MonthlyBudgetUsd is { } monthly ? monthly - S.MonthSpentUsd - reserved : decimal.MaxValue;
        return Math.Min(day, month);
    }

    private decimal Reserved()
    {
        var reserved = 0m;
        foreach (var reservation in _reservations.Values)
        {
            reserved += reservation.Amount;
        }

        return reserved;
    }

    private ValueTask<Admission> Refuse(GatewayError error, DateTimeOffset now) =>
        ValueTask.FromResult(new Admission { Error = error, Quota = Quota(now) });

    private RateLimitInfo Quota(DateTimeOffset now) => new()
    {
        LimitRequests = _requests is null ? null : Settings!.RequestsPerMinute,
        RemainingRequests = _requests is null ? null : (int)Math.Floor(_requests.Available(now) + 1e-9),
        ResetRequests = _requests?.TimeUntilFull(now),
        LimitImages = _images is null ? null : Settings!.ImagesPerMinute,
        RemainingImages = _images is null ? null : (int)Math.Floor(_images.Available(now) + 1e-9),
        ResetImages = _images?.TimeUntilFull(now),
    };

    private void BuildBuckets()
    {
        var now = time.GetUtcNow();
        _requests = Settings is { RequestsPerMinute: > 0 } r ? Rebuild(_requests, r.RequestsPerMinute) : null;
        _images = Settings is { ImagesPerMinute: > 0 } i ? Rebuild(_images, i.ImagesPerMinute) : null;

        TokenBucket Rebuild(TokenBucket? existing, int perMinute)
        {
            if (existing is null)
            {
                return new TokenBucket(perMinute, perMinute / 60.0, now);
            }

            existing.Reconfigure(perMinute, perMinute / 60.0, now);
            return existing;
        }
    }

    private void RollPeriods(DateTimeOffset now)
    {
        // Every zone's offset is a whole number of quarter hours, so the local day and month only turn at a
        // quarter hour of UTC: the keys found once hold for the rest of that quarter hour. This runs on every
        // admission and settlement, and a time-zone conversion, two strings and a closure each time added up.
        if (now >= _periodsFrom && now < _periodsUntil)
        {
            return;
        }

        _periodsFrom = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % PeriodCheck.Ticks), TimeSpan.Zero);
        _periodsUntil = _periodsFrom + PeriodCheck;
        var local = TimeZoneInfo.ConvertTime(now, _zone);
        var day = local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var month = local.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (S.DayKey != day)
        {
            S.DayKey = day;
            S.DaySpentUsd = 0;
            _writes.MarkDirty();
        }

        if (S.MonthKey != month)
        {
            S.MonthKey = month;
            S.MonthSpentUsd = 0;
            _writes.MarkDirty();
        }

        S.AlertsRaised.RemoveWhere(a => !a.StartsWith(day + ":", StringComparison.Ordinal) && !a.StartsWith(month + ":", StringComparison.Ordinal));
    }

    private void ReclaimExpired(DateTimeOffset now)
    {
        // Runs on every admission: no LINQ, and nothing allocated unless a reservation did lapse.
        List<Guid>? expired = null;
        foreach (var (id, reservation) in _reservations)
        {
            if (reservation.Expires < now)
            {
                (expired ??= []).Add(id);
            }
        }

        if (expired is not null)
        {
            foreach (var id in expired)
            {
                _reservations.Remove(id);
            }
        }
    }

    private void RaiseAlerts(DateTimeOffset now)
    {
        var settings = Settings!;
        foreach (var (period, periodKey, spent, budget) in (ReadOnlySpan<(string, string, decimal, decimal?)>)
                 [("day", S.DayKey, S.DaySpentUsd, settings.DailyBudgetUsd), ("month", S.MonthKey, S.MonthSpentUsd, settings.MonthlyBudgetUsd)])
        {
            if (budget is not { } limit || limit <= 0)
            {
                continue;
            }

            var percent = spent / limit * 100m;
            foreach (var threshold in settings.AlertThresholds.Order())
            {
                if (percent >= threshold && S.AlertsRaised.Add($"{periodKey}:{threshold}"))
                {
                    var alert = new BudgetAlert(Id, settings.Name, period, periodKey, threshold, spent, limit, now);
                    LogBudgetAlert(logger, Id, period, periodKey, threshold, spent, limit);
                    metrics.BudgetAlert(alert);
                    if (!string.IsNullOrEmpty(settings.WebhookUrl))
                    {
                        notifier.Enqueue(alert, settings.WebhookUrl, settings.WebhookSecret);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes the key's state (spend and the usage not yet in the ledger) first, so a stop that cannot
    /// reach the ledger loses nothing; then hands the usage to the ledger as one frozen batch whose id
    /// the ledger remembers. Usage settled while a batch is out goes into the next batch, so a batch
    /// resent after a lost answer is exactly the batch the ledger may already have.
    /// A failed write keeps the state dirty and is tried again with a growing back-off.
    /// </summary>
    private Task FlushCoreAsync(CancellationToken cancellationToken) => FlushCoreAsync(force: false, cancellationToken);

    private async Task FlushCoreAsync(bool force, CancellationToken cancellationToken)
    {
        if (Settings is null || (!force && !_writes.Due))
        {
            return;
        }

        if (S.PendingBatch is not null && S.SentUsage.Count == 0 && S.PendingUsage.Count > 0)
        {
            // State written before batches were frozen: its pending rows are the batch.
            (S.SentUsage, S.PendingUsage) = (S.PendingUsage, S.SentUsage);
        }

        // A batch resent after a lost answer goes first; the usage settled since then follows it.
        for (var pass = 0; pass < 2 && (S.PendingBatch is not null || S.PendingUsage.Count > 0 || _writes.Dirty); pass++)
        {
            if (S.PendingBatch is null && S.PendingUsage.Count > 0)
            {
                S.PendingBatch = Guid.NewGuid();
                (S.SentUsage, S.PendingUsage) = (S.PendingUsage, new Dictionary<string, UsageCounters>(StringComparer.Ordinal));
                _writes.MarkDirty();
            }

            if (!await TryWriteAsync(force, cancellationToken) || S.PendingBatch is null || !await SendBatchAsync())
            {
                return;
            }

            _writes.MarkDirty();
            await TryWriteAsync(force, cancellationToken);
        }
    }

    /// <summary>Hands the frozen batch to the ledger; true when it is there.</summary>
    private async Task<bool> SendBatchAsync()
    {
        var batch = S.PendingBatch!.Value;
        var rows = S.SentUsage.Select(u =>
        {
            var parts = u.Key.Split('|');
            return UsageRow.Of(parts[0], Id, parts[1], parts[2], u.Value);
        }).ToList();
        try
        {
            foreach (var month in rows.GroupBy(r => r.Day[..7]))
            {
                await GrainFactory.GetGrain<IUsageLedgerGrain>($"{Id}/{month.Key}").AddAsync(batch, [.. month]);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Kept in the key's state with its batch id; the next flush, here or after a restart, resends it.
            LogLedgerUnavailable(logger, ex, Id);
            return false;
        }

        S.SentUsage.Clear();
        S.PendingBatch = null;
        return true;
    }

    private Task<bool> TryWriteAsync(bool force, CancellationToken cancellationToken) =>
        _writes.FlushAsync(state.WriteStateAsync, (ex, failures, backoff) => LogWriteFailed(logger, ex, Id, failures, backoff.TotalSeconds), force, cancellationToken);

    private ClientKeyView View() => new()
    {
        Id = Id,
        Settings = Settings!,
        Hint = S.Hint,
        Revoked = S.Revoked,
        CreatedAt = S.CreatedAt,
        RevokedAt = S.RevokedAt,
        PreviousKeyValidUntil = S.PreviousValidUntil > time.GetUtcNow() ? S.PreviousValidUntil : null,
        DaySpentUsd = S.DayKey == CurrentDay() ? S.DaySpentUsd : 0,
        MonthSpentUsd = S.MonthKey == CurrentDay()[..7] ? S.MonthSpentUsd : 0,
        ReservedUsd = Reserved(),
        SavedUsd = S.SavedUsd,
        InFlight = _reservations.Count,
    };

    private string CurrentDay() => TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed record Reservation(decimal Amount, DateTimeOffset Expires);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning,
        Message = "Budget alert: client key {KeyId} spent {Spent} USD of its {Period} budget {Budget} USD ({Threshold} % reached, period {PeriodKey})")]
    private static partial void LogBudgetAlert(ILogger logger, string keyId, string period, string periodKey, int threshold, decimal spent, decimal budget);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning,
        Message = "Client key {KeyId}: a {Model} request cost {Cost} USD, more than the {Reserved} USD reserved; charged the reservation. Check the price table.")]
    private static partial void LogCostAboveReservation(ILogger logger, string keyId, string model, decimal cost, decimal reserved);

    [LoggerMessage(EventId = 2504, Level = LogLevel.Warning, Message = "Client key {KeyId}: the usage ledger could not be written; the usage stays with the key and is sent again")]
    private static partial void LogLedgerUnavailable(ILogger logger, Exception exception, string keyId);

    [LoggerMessage(EventId = 2505, Level = LogLevel.Warning,
        Message = "Client key {KeyId}: writing its state failed ({Failures} in a row); kept in memory and tried again in {BackoffSeconds} s")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string keyId, int failures, double backoffSeconds);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Information, Message = "Client key {KeyId} revoked")]
    private static partial void LogRevoked(ILogger logger, string keyId);
}
