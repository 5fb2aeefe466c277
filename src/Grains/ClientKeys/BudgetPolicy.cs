namespace ImageOrleans.Grains.ClientKeys;

/// <summary>What happens to a request its key's budget cannot pay for.</summary>
[GenerateSerializer]
public enum BudgetPolicy
{
    /// <summary>429 budget_exceeded at once.</summary>
    Reject,

    /// <summary>Run it at the next cheaper quality that fits (high → medium → low), else 429.</summary>
    Downgrade,
}
