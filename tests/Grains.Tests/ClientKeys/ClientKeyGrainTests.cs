using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Tests.Infrastructure;
using ImageOrleans.Grains.Usage;

namespace ImageOrleans.Grains.Tests.ClientKeys;

/// <summary>The client key grain on the test cluster's fake clock: quotas, reservations, budgets, periods, alerts.</summary>
[Collection(ClusterTests.Name)]
public sealed class ClientKeyGrainTests(ClusterFixture fixture)
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById(ClusterFixture.BillingTimeZone);

    [Fact]
    public async Task A_hundred_concurrent_admissions_reserve_no_more_than_the_budget_and_charges_never_pass_it()
    {
        var key = await CreateAsync(new ClientKeySettings { Name = "edge", DailyBudgetUsd = 1.00m });

        var admissions = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => key.AdmitAsync(Ask(0.03m)).AsTask()));

        var admitted = admissions.Where(a => a.Admitted).ToList();
        Assert.Equal(33, admitted.Count);
        Assert.All(admissions.Where(a => !a.Admitted), a => Assert.Equal("budget_exceeded", a.Error!.Code));
        Assert.Equal(0.99m, (await key.GetAsync())!.ReservedUsd);

        // Each request turns out dearer than the price table said: the reservation caps the charge.
        await Task.WhenAll(admitted.Select(a => key.SettleAsync(Settle(a, cost: 0.05m)).AsTask()));
        var view = (await key.GetAsync())!;
        Assert.Equal(0.99m, view.DaySpentUsd);
        Assert.Equal(0m, view.ReservedUsd);
        Assert.True(view.DaySpentUsd <= 1.00m);
        Assert.False((await key.AdmitAsync(Ask(0.03m))).Admitted);
        Assert.True((await key.AdmitAsync(Ask(0.01m))).Admitted);
    }

    [Fact]
    public async Task Downgrade_takes_the_first_cheaper_quality_that_fits_and_reject_refuses_at_once()
    {
        var downgrade = await CreateAsync(new ClientKeySettings { Name = "down", DailyBudgetUsd = 0.10m, BudgetPolicy = BudgetPolicy.Downgrade });
        var reject = await CreateAsync(new ClientKeySettings { Name = "reject", DailyBudgetUsd = 0.10m, BudgetPolicy = BudgetPolicy.Reject });
        var options = new AdmissionRequest
        {
            Model = "gpt-image-1",
            Options = [new("high", 0.17m), new("medium", 0.043m), new("low", 0.0113m)],
            ReservationExpires = fixture.Time.GetUtcNow().AddMinutes(10),
        };

        var first = await downgrade.AdmitAsync(options);
        var second = await downgrade.AdmitAsync(options);
        var third = await downgrade.AdmitAsync(options);
        var fourth = await downgrade.AdmitAsync(options);
        Assert.Equal(["medium", "medium", "low"], new[] { first, second, third }.Select(a => a.DowngradedTo));
        Assert.Equal("budget_exceeded", fourth.Error!.Code);
        Assert.Equal(429, fourth.Error.Status);
        Assert.Equal(GatewayErrors.InsufficientQuotaType, fourth.Error.Type);

        var refused = await reject.AdmitAsync(options);
        Assert.False(refused.Admitted);
        Assert.Equal("budget_exceeded", refused.Error!.Code);
        Assert.True((await reject.AdmitAsync(options with { Options = [new("low", 0.0113m)] })).Admitted);
    }

    [Fact]
    public async Task Request_and_image_quotas_refuse_with_retry_after_and_refill_with_time()
    {
        var key = await CreateAsync(new ClientKeySettings { Name = "quota", RequestsPerMinute = 2, ImagesPerMinute = 3 });

        var first = await key.AdmitAsync(Ask(0m, images: 2));
        Assert.True(first.Admitted);
        Assert.Equal(1, first.Quota.RemainingRequests);
        Assert.Equal(1, first.Quota.RemainingImages);

        var tooMany = await key.AdmitAsync(Ask(0m, images: 2));
        Assert.Equal("rate_limit_exceeded", tooMany.Error!.Code);
        Assert.InRange(tooMany.Error.RetryAfter!.Value.TotalSeconds, 19.99, 20.01);

        var never = await key.AdmitAsync(Ask(0m, images: 4));
        Assert.Equal("n", never.Error!.Param);

        fixture.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.True((await key.AdmitAsync(Ask(0m, images: 2))).Admitted);
        // Images are spent again (1 image back in 20 s); requests have 2/3 of a token (1 back in 10 s).
        var third = await key.AdmitAsync(Ask(0m));
        Assert.InRange(third.Error!.RetryAfter!.Value.TotalSeconds, 19.99, 20.01);
    }

    [Fact]
    public async Task Max_concurrency_counts_requests_in_progress_and_an_abandoned_reservation_lapses()
    {
        var key = await CreateAsync(new ClientKeySettings { Name = "conc", MaxConcurrency = 1, DailyBudgetUsd = 0.05m });
        var held = await key.AdmitAsync(Ask(0.04m, expiresIn: TimeSpan.FromMinutes(5)));
        Assert.True(held.Admitted);
        Assert.Equal("rate_limit_exceeded", (await key.AdmitAsync(Ask(0.001m))).Error!.Code);

        // The front door that held it died and never settled: after its expiry the key is whole again.
        fixture.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.True((await key.AdmitAsync(Ask(0.04m))).Admitted);
    }

    [Fact]
    public async Task Days_and_months_roll_over_at_midnight_in_the_billing_time_zone()
    {
        // Move the clock to 23:50 in Tokyo, which is 14:50 UTC.
        var now = fixture.Time.GetUtcNow();
        var tokyo = TimeZoneInfo.ConvertTime(now, Tokyo);
        var target = new DateTimeOffset(tokyo.Year, tokyo.Month, tokyo.Day, 23, 50, 0, Tokyo.GetUtcOffset(now));
        fixture.Time.Advance((target <= now ? target.AddDays(1) : target) - now);

        var key = await CreateAsync(new ClientKeySettings { Name = "tz", DailyBudgetUsd = 0.05m, MonthlyBudgetUsd = 10m });
        var admitted = await key.AdmitAsync(Ask(0.04m));
        await key.SettleAsync(Settle(admitted, 0.04m));
        Assert.False((await key.AdmitAsync(Ask(0.02m))).Admitted);

        fixture.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0.04m, (await key.GetAsync())!.DaySpentUsd);

        // 00:01 in Tokyo: a new budget day, while it is still the same afternoon in UTC.
        fixture.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(fixture.Time.GetUtcNow().AddHours(-1).UtcDateTime.Date, fixture.Time.GetUtcNow().UtcDateTime.Date);
        var view = (await key.GetAsync())!;
        Assert.Equal(0m, view.DaySpentUsd);
        Assert.True((await key.AdmitAsync(Ask(0.02m))).Admitted);
        var monthChanged = TimeZoneInfo.ConvertTime(fixture.Time.GetUtcNow(), Tokyo).Day == 1;
        Assert.Equal(monthChanged ? 0m : 0.04m, view.MonthSpentUsd);
    }

    [Fact]
    public async Task Usage_is_recorded_per_day_model_and_quality_with_cache_savings_apart()
    {
        var key = await CreateAsync(new ClientKeySettings { Name = "ledger" });
        var day = TimeZoneInfo.ConvertTime(fixture.Time.GetUtcNow(), Tokyo).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var paid = await key.AdmitAsync(Ask(0.05m));
        await key.SettleAsync(Settle(paid, 0.042m) with { Quality = "medium", Images = 1 });
        var hit = await key.AdmitAsync(Ask(0.05m));
        await key.SettleAsync(Settle(hit, 0m) with { Quality = "medium", Images = 1, SavedUsd = 0.042m, Cache = CacheStatus.Hit });
        var failed = await key.AdmitAsync(Ask(0.05m));
        await key.SettleAsync(Settle(failed, 0m) with { Quality = "low", Succeeded = false });
        await key.FlushUsageAsync();

        var keyId = key.GetPrimaryKeyString();
        var rows = await fixture.Grains.GetGrain<IUsageLedgerGrain>($"{keyId}/{day[..7]}").GetAsync();
        var medium = Assert.Single(rows, r => r.Quality == "medium");
        Assert.Equal((day, keyId, 2L, 2L, 0.042m, 0.042m, 1L), (medium.Day, medium.KeyId, medium.Requests, medium.Images, medium.SpendUsd, medium.SavedUsd, medium.CacheHits));
        var low = Assert.Single(rows, r => r.Quality == "low");
        Assert.Equal((1L, 0L, 1L), (low.Requests, low.Images, low.Failed));
        Assert.Equal(0.042m, (await key.GetAsync())!.SavedUsd);
    }

    [Fact]
    public async Task An_answer_at_hand_is_admitted_and_booked_in_one_call_and_a_downgrade_is_left_unsettled()
    {
        var key = await CreateAsync(new ClientKeySettings { Name = "held", MaxConcurrency = 1, DailyBudgetUsd = 0.10m, BudgetPolicy = BudgetPolicy.Downgrade });
        var hit = new Settlement { Id = Guid.NewGuid(), ReservationId = Guid.Empty, Model = "gpt-image-1", Quality = "medium", Images = 1, SavedUsd = 0.042m, Succeeded = true, Cache = CacheStatus.Hit };
        var medium = new AdmissionRequest
        {
            Model = "gpt-image-1",
            Options = [new("medium", 0.06m), new("low", 0.02m)],
            ReservationExpires = fixture.Time.GetUtcNow().AddMinutes(10),
        };

        // Admitted (it took a request of the key's quota) and settled at once: the reservation is free again,
        // so the key's one concurrent request is too, and the saving is booked.
        var served = await key.AdmitServedAsync(medium, hit);
        Assert.True(served.Admitted);
        Assert.Null(served.DowngradedTo);
        var view = (await key.GetAsync())!;
        Assert.Equal((0m, 0m, 0.042m), (view.ReservedUsd, view.DaySpentUsd, view.SavedUsd));

        // The same call again (a retry whose answer was lost) is admitted once more, booked once only.
        Assert.True((await key.AdmitServedAsync(medium, hit)).Admitted);
        view = (await key.GetAsync())!;
        Assert.Equal((0m, 0.042m), (view.ReservedUsd, view.SavedUsd));

        // The next one only fits at a cheaper quality than the answer at hand serves: admitted downgraded and
        // left reserved for the caller to run; nothing is booked for it.
        var spend = await key.AdmitAsync(Ask(0.05m));
        await key.SettleAsync(Settle(spend, 0.05m));
        var downgraded = await key.AdmitServedAsync(medium, hit with { Id = Guid.NewGuid() });
        Assert.Equal("low", downgraded.DowngradedTo);
        view = (await key.GetAsync())!;
        Assert.Equal((0.02m, 0.042m), (view.ReservedUsd, view.SavedUsd));

        // A refusal books nothing either: the key's one concurrent request is the downgraded one.
        var refused = await key.AdmitServedAsync(medium, hit with { Id = Guid.NewGuid() });
        Assert.False(refused.Admitted);
        Assert.Equal(0.042m, (await key.GetAsync())!.SavedUsd);
    }

    [Fact]
    public async Task A_usage_batch_sent_twice_is_counted_once()
    {
        var ledger = fixture.Grains.GetGrain<IUsageLedgerGrain>($"k-{Guid.NewGuid():N}/2026-03");
        var row = new UsageRow { Day = "2026-03-01", KeyId = "k", Model = "gpt-image-1", Quality = "low", Requests = 2, Images = 2, SpendUsd = 0.022m };
        var batch = Guid.NewGuid();
        await ledger.AddAsync(batch, [row]);
        await ledger.AddAsync(batch, [row]);
        await ledger.AddAsync(Guid.NewGuid(), [row]);
        var total = Assert.Single(await ledger.GetAsync());
        Assert.Equal((4L, 0.044m), (total.Requests, total.SpendUsd));
    }

    [Fact]
    public async Task A_revoked_key_admits_nothing_and_its_hashes_leave_the_registry()
    {
        var key = await CreateAsync(new ClientKeySettings { Name = "revoked" });
        var rotated = await key.RotateAsync(Hash("second"), "sk-io-…cond", TimeSpan.FromHours(1));
        Assert.NotNull(rotated!.PreviousKeyValidUntil);
        var registry = fixture.Grains.GetGrain<IClientKeyRegistryGrain>(0);
        var entries = (await registry.GetSnapshotAsync()).ByHash.Where(e => e.Value.KeyId == key.GetPrimaryKeyString()).ToList();
        Assert.Equal(2, entries.Count);
        Assert.Single(entries, e => e.Value.ValidUntil is not null);

        await key.RevokeAsync();
        Assert.Equal(401, (await key.AdmitAsync(Ask(0m))).Error!.Status);
        Assert.DoesNotContain((await registry.GetSnapshotAsync()).ByHash.Values, e => e.KeyId == key.GetPrimaryKeyString());
        Assert.Null(await key.RotateAsync(Hash("third"), "x", TimeSpan.Zero));
    }

    [Fact]
    public async Task Alerts_fire_once_per_threshold_and_period_with_a_signed_webhook()
    {
        using var receiver = new WebhookReceiver();
        var secret = "whsec-grain-test-" + Guid.NewGuid().ToString("N");
        var key = await CreateAsync(new ClientKeySettings
        {
            Name = "alerts",
            DailyBudgetUsd = 1.00m,
            AlertThresholds = [50, 80],
            WebhookUrl = receiver.Url,
            WebhookSecret = new UpstreamSecret(secret),
        });

        foreach (var cost in (decimal[])[0.3m, 0.3m, 0.1m, 0.1m])
        {
            var admitted = await key.AdmitAsync(Ask(cost));
            await key.SettleAsync(Settle(admitted, cost));
        }

        // 0.6 crosses 50 %, 0.8 crosses 80 %; 0.7 crosses nothing new.
        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();
        foreach (var (body, signature) in new[] { first, second })
        {
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
            Assert.Equal(expected, signature);
        }

        using var a = JsonDocument.Parse(first.Body);
        using var b = JsonDocument.Parse(second.Body);
        Assert.Equal(50, a.RootElement.GetProperty("threshold_percent").GetInt32());
        Assert.Equal(0.6m, a.RootElement.GetProperty("spent_usd").GetDecimal());
        Assert.Equal(80, b.RootElement.GetProperty("threshold_percent").GetInt32());
        Assert.Equal("day", b.RootElement.GetProperty("period").GetString());
        Assert.Equal(2, receiver.Received);
    }

    private async Task<IClientKeyGrain> CreateAsync(ClientKeySettings settings)
    {
        var key = fixture.Grains.GetGrain<IClientKeyGrain>("k-" + Guid.NewGuid().ToString("N")[..12]);
        await key.CreateAsync(settings, Hash(Guid.NewGuid().ToString()), "sk-io-…test");
        return key;
    }

    private AdmissionRequest Ask(decimal worstCase, int images = 1, TimeSpan? expiresIn = null) => new()
    {
        Model = "gpt-image-1",
        Images = images,
        Options = [new("low", worstCase)],
        ReservationExpires = fixture.Time.GetUtcNow() + (expiresIn ?? TimeSpan.FromMinutes(10)),
    };

    private static Settlement Settle(Admission admission, decimal cost) => new()
    {
        ReservationId = admission.ReservationId!.Value,
        Model = "gpt-image-1",
        Quality = "low",
        Images = 1,
        CostUsd = cost,
        Succeeded = true,
        Cache = CacheStatus.Miss,
    };

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A real HTTP endpoint on loopback that records what is POSTed to it.</summary>
    private sealed class WebhookReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly System.Threading.Channels.Channel<(byte[] Body, string Signature)> _received =
            System.Threading.Channels.Channel.CreateUnbounded<(byte[], string)>();

        private int _count;

        public WebhookReceiver()
        {
            var port = ImageOrleans.Testing.FreePort.Next();
            Url = $"http://127.0.0.1:{port}/hooks/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public int Received => Volatile.Read(ref _count);

        public async Task<(byte[] Body, string Signature)> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await _received.Reader.ReadAsync(timeout.Token);
        }

        public void Dispose() => _listener.Close();

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                Interlocked.Increment(ref _count);
                await _received.Writer.WriteAsync((body.ToArray(), context.Request.Headers[BudgetAlertNotifier.SignatureHeader] ?? string.Empty));
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        }
    }
}
