using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Tests.Dispatch;

public sealed class DispatchOptionsValidatorTests
{
    private readonly DispatchOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(_validator.Validate(null, new DispatchOptions()).Succeeded);
    }

    [Fact]
    public void A_bad_retry_setting_fails_naming_the_setting()
    {
        var result = _validator.Validate(null, new DispatchOptions { MaxRounds = 0, RetryBudget = 1.5, RetryReserve = -1, BackoffMax = TimeSpan.FromMilliseconds(1) });

        Assert.Equal(
            [
                "ImageOrleans:Dispatch:MaxRounds must be between 1 and 100.",
                "ImageOrleans:Dispatch:RetryBudget must be between 0 and 1 (a share of the requests).",
                "ImageOrleans:Dispatch:RetryReserve must be between 0 and 1000000.",
                "ImageOrleans:Dispatch:BackoffMax must be at least BackoffBase.",
            ],
            result.Failures);
    }
}
