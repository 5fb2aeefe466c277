using ImageOrleans.Grains.Accounts;

namespace ImageOrleans.Grains.Tests.Accounts;

public sealed class AccountPolicyOptionsValidatorTests
{
    private readonly AccountPolicyOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(_validator.Validate(null, new AccountPolicyOptions()).Succeeded);
    }

    [Fact]
    public void A_bad_value_fails_naming_the_setting()
    {
        var result = _validator.Validate(null, new AccountPolicyOptions { BurstFraction = 0, RecoveryRamp = TimeSpan.FromSeconds(-1), BreakerMaxOpenDuration = TimeSpan.FromSeconds(1) });

        Assert.Equal(
            [
                "ImageOrleans:AccountPolicy:BurstFraction must be above 0 and at most 1.",
                "ImageOrleans:AccountPolicy:BreakerMaxOpenDuration must be at least BreakerOpenDuration.",
                "ImageOrleans:AccountPolicy:RecoveryRamp must not be negative (0 turns the ramp off).",
            ],
            result.Failures);
    }

    [Fact]
    public void The_breakers_rate_and_window_are_checked()
    {
        var result = _validator.Validate(null, new AccountPolicyOptions { BreakerFailureRate = 0, BreakerFailureThreshold = 5, BreakerWindow = 4 });

        Assert.Equal(
            [
                "ImageOrleans:AccountPolicy:BreakerFailureRate must be above 0 and at most 1.",
                "ImageOrleans:AccountPolicy:BreakerWindow must be at least BreakerFailureThreshold and at most 10000.",
            ],
            result.Failures);
    }
}
