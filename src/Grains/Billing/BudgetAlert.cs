namespace ImageOrleans.Grains.Billing;

/// <summary>A key's spend crossed a threshold of one of its budgets.</summary>
public sealed record BudgetAlert(
    string KeyId,
    string KeyName,
    string Period,
    string PeriodKey,
    int Threshold,
    decimal SpentUsd,
    decimal BudgetUsd,
    DateTimeOffset At);
