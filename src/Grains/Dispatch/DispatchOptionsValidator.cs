using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>Refuses dispatch settings that would break retrying or waiting at first use, naming the setting.</summary>
public sealed class DispatchOptionsValidator : IValidateOptions<DispatchOptions>
{
    private const string Section = "ImageOrleans:Dispatch:";

    public ValidateOptionsResult Validate(string? name, DispatchOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var problems = new List<string>();
        void Require(bool ok, string setting, string rule)
        {
            if (!ok)
            {
                problems.Add($"{Section}{setting} {rule}.");
            }
        }

        Require(o.MaxRounds is >= 1 and <= 100, nameof(o.MaxRounds), "must be between 1 and 100");
        Require(double.IsFinite(o.RetryBudget) && o.RetryBudget is >= 0 and <= 1, nameof(o.RetryBudget), "must be between 0 and 1 (a share of the requests)");
        Require(o.RetryReserve is >= 0 and <= 1_000_000, nameof(o.RetryReserve), "must be between 0 and 1000000");
        Require(o.BackoffBase >= TimeSpan.Zero, nameof(o.BackoffBase), "must not be negative");
        Require(o.BackoffMax >= o.BackoffBase, nameof(o.BackoffMax), "must be at least BackoffBase");
        Require(o.DirectoryRefresh > TimeSpan.Zero, nameof(o.DirectoryRefresh), "must be positive");
        Require(o.DefaultDeadline > TimeSpan.Zero, nameof(o.DefaultDeadline), "must be positive");
        Require(o.QueueDepth >= 0, nameof(o.QueueDepth), "must not be negative");
        Require(o.DrainTimeout >= TimeSpan.Zero, nameof(o.DrainTimeout), "must not be negative");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
