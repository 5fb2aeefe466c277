namespace ImageOrleans.Grains.ClientKeys;

/// <summary>What a batch does when its key's budget runs out mid-way.</summary>
[GenerateSerializer]
public enum BatchBudgetPolicy
{
    /// <summary>The items not yet run fail with <c>budget_exceeded</c> and the batch ends.</summary>
    Fail,

    /// <summary>The batch waits; it goes on when the budget is raised (or a new period starts), or when an operator resumes it.</summary>
    Pause,
}
