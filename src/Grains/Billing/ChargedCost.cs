namespace ImageOrleans.Grains.Billing;

/// <summary>What a request cost (USD, price factor applied) and how that figure was reached (<see cref="CostBases"/>).</summary>
public sealed record ChargedCost(decimal Usd, string Basis);
