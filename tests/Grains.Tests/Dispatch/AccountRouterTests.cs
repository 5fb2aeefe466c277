using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Tests.Dispatch;

/// <summary>Routing on health without a cluster: shares between accounts, by weight, speed, success and group.</summary>
public sealed class AccountRouterTests
{
    private readonly AccountRouter _router = new();

    [Fact]
    public void Five_equal_accounts_at_half_load_each_take_a_fifth_of_a_thousand_requests()
    {
        var pool = Enumerable.Range(1, 5).Select(i => new Simulated(Account($"a{i}"), capacity: 10, refillPerRequest: 0.4)).ToList();

        var shares = Route(pool, requests: 1000);

        Assert.All(pool, p => Assert.InRange(shares[p.Account.Id], 180, 220));
    }

    [Fact]
    public void The_first_configured_account_is_not_favoured_when_all_are_equal()
    {
        var accounts = Enumerable.Range(1, 5).Select(i => (Account($"a{i}"), (AccountLoad?)Load($"a{i}"))).ToList();
        var firsts = new Dictionary<string, int>();

        // A thousand fresh dispatchers, one request each: who goes first is spread evenly.
        for (var i = 0; i < 1000; i++)
        {
            var first = new AccountRouter().Order(accounts)[0].Id;
            firsts[first] = firsts.GetValueOrDefault(first) + 1;
        }

        Assert.All(accounts, a => Assert.InRange(firsts.GetValueOrDefault(a.Item1.Id), 150, 250));
    }

    [Fact]
    public void Traffic_follows_weight()
    {
        var accounts = new List<(UpstreamAccount, AccountLoad?)> { (Account("heavy") with { Weight = 3 }, Load("heavy")), (Account("light"), Load("light")) };

        var shares = FirstChoices(accounts, 1000);

        Assert.Equal((750, 250), (shares["heavy"], shares["light"]));
    }

    [Fact]
    public void A_slower_account_gets_proportionally_less_and_a_failing_one_almost_none()
    {
        var accounts = new List<(UpstreamAccount, AccountLoad?)>
        {
            (Account("fast"), Load("fast") with { EwmaLatencyMs = 2_000 }),
            (Account("slow"), Load("slow") with { EwmaLatencyMs = 4_000 }),
            (Account("failing"), Load("failing") with { EwmaLatencyMs = 2_000, SuccessRate = 0.0, Outcomes = 45 }),
        };

        var shares = FirstChoices(accounts, 1000);

        // Desirability 1 : 0.5 : 0.01 (no success in 45 calls, judged as 5 in 50) of 1.51.
        Assert.InRange(shares["fast"], 660, 664);
        Assert.InRange(shares["slow"], 329, 333);
        Assert.InRange(shares["failing"], 5, 8);
    }

    [Fact]
    public void One_failure_does_not_condemn_an_account_but_a_run_of_them_does()
    {
        var account = Account("a");
        var healthy = AccountRouter.Desirability(account, Load("a"), 0);

        Assert.Equal(healthy * (5.0 / 6) * (5.0 / 6), AccountRouter.Desirability(account, Load("a") with { SuccessRate = 0, Outcomes = 1 }, 0), 12);
        Assert.Equal(healthy * 0.25, AccountRouter.Desirability(account, Load("a") with { SuccessRate = 0, Outcomes = 5 }, 0), 12);
        Assert.Equal(healthy * 0.8 * 0.8, AccountRouter.Desirability(account, Load("a") with { SuccessRate = 0.8, Outcomes = 1_000_000 }, 0), 4);
    }

    [Fact]
    public void A_fuller_account_gets_less_than_an_emptier_one()
    {
        var accounts = new List<(UpstreamAccount, AccountLoad?)>
        {
            (Account("busy"), Load("busy") with { InFlight = 6 }),
            (Account("idle"), Load("idle")),
        };

        Assert.True(AccountRouter.Desirability(accounts[0].Item1, accounts[0].Item2, 0) < AccountRouter.Desirability(accounts[1].Item1, accounts[1].Item2, 0));
        var shares = FirstChoices(accounts, 100);
        Assert.True(shares["idle"] > shares["busy"] * 1.5, $"idle {shares["idle"]} vs busy {shares["busy"]}");
    }

    [Fact]
    public void Every_account_of_a_preferred_group_is_tried_before_the_next_group()
    {
        var accounts = new List<(UpstreamAccount, AccountLoad?)>
        {
            (Account("overflow") with { Group = "backup", GroupPriority = 1, Weight = 100 }, Load("overflow")),
            (Account("main-1") with { Group = "main" }, Load("main-1") with { SuccessRate = 0.5, Outcomes = 50 }),
            (Account("main-2") with { Group = "main" }, Load("main-2")),
        };

        for (var i = 0; i < 20; i++)
        {
            var order = _router.Order(accounts).Select(a => a.Id).ToList();
            Assert.Equal("overflow", order[^1]);
            Assert.Equal(["main-1", "main-2"], order[..2].Order());
        }

        Assert.Equal(["overflow"], _router.Order([accounts[0]]).Select(a => a.Id));
    }

    private Dictionary<string, int> FirstChoices(List<(UpstreamAccount, AccountLoad?)> accounts, int requests)
    {
        var shares = accounts.ToDictionary(a => a.Item1.Id, _ => 0);
        for (var i = 0; i < requests; i++)
        {
            shares[_router.Order(accounts)[0].Id]++;
        }

        return shares;
    }

    /// <summary>Each request goes to the first account that has a token; every account refills a little per request.</summary>
    private Dictionary<string, int> Route(List<Simulated> pool, int requests)
    {
        var shares = pool.ToDictionary(p => p.Account.Id, _ => 0);
        for (var i = 0; i < requests; i++)
        {
            var order = _router.Order([.. pool.Select(p => (p.Account, (AccountLoad?)p.Load))]);
            var chosen = order.Select(a => pool.Single(p => p.Account == a)).First(p => p.Tokens >= 1);
            chosen.Tokens--;
            shares[chosen.Account.Id]++;
            pool.ForEach(p => p.Tokens = Math.Min(p.Capacity, p.Tokens + p.RefillPerRequest));
        }

        return shares;
    }

    private static UpstreamAccount Account(string id) => new() { Id = id, Models = ["m"], MaxConcurrency = 8 };

    private static AccountLoad Load(string id) => new()
    {
        AccountId = id, RequestTokens = 5, RequestCapacity = 10, ImageTokens = 5, ImageCapacity = 10, MaxConcurrency = 8,
    };

    private sealed class Simulated(UpstreamAccount account, double capacity, double refillPerRequest)
    {
        public UpstreamAccount Account { get; } = account;

        public double Capacity { get; } = capacity;

        public double RefillPerRequest { get; } = refillPerRequest;

        public double Tokens { get; set; } = capacity / 2;

        public AccountLoad Load => new()
        {
            AccountId = Account.Id, RequestTokens = Tokens, RequestCapacity = Capacity, ImageTokens = Tokens, ImageCapacity = Capacity, MaxConcurrency = 8,
        };
    }
}
