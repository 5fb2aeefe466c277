using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Idempotency;

/// <summary>Checks <c>ImageOrleans:Idempotency</c> at start-up, naming the setting that is wrong.</summary>
public sealed class IdempotencyOptionsValidator : IValidateOptions<IdempotencyOptions>
{
    public ValidateOptionsResult Validate(string? name, IdempotencyOptions options) =>
        options.Retention <= TimeSpan.Zero || options.Retention > TimeSpan.FromDays(30)
            ? ValidateOptionsResult.Fail($"ImageOrleans:Idempotency:Retention must be more than zero and at most 30 days, not {options.Retention}.")
            : ValidateOptionsResult.Success;
}
