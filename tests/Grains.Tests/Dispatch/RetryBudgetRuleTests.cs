using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Tests.Dispatch;

public sealed class RetryBudgetRuleTests
{
    [Fact]
    public void Each_request_earns_its_share_of_a_retry_and_each_retry_spends_one()
    {
        var budget = new RetryBudget(share: 0.2, reserve: 0);

        var granted = 0;
        for (var request = 0; request < 100; request++)
        {
            budget.OnRequest();

            // Every request wants to be retried, as when every account fails.
            while (budget.TryRetry())
            {
                granted++;
            }
        }

        Assert.Equal(20, granted);
    }

    [Fact]
    public void Unused_retries_are_banked_up_to_the_reserve_and_a_silo_starts_with_it()
    {
        var budget = new RetryBudget(share: 0.5, reserve: 3);
        Assert.Equal(3, budget.Available);

        for (var i = 0; i < 100; i++)
        {
            budget.OnRequest();
        }

        Assert.Equal(3, budget.Available);
        Assert.True(budget.TryRetry() && budget.TryRetry() && budget.TryRetry());
        Assert.False(budget.TryRetry());
    }

    [Fact]
    public void A_zero_budget_never_retries()
    {
        var budget = new RetryBudget(share: 0, reserve: 0);
        budget.OnRequest();

        Assert.False(budget.TryRetry());
    }
}
