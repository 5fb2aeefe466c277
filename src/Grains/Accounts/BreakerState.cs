namespace ImageOrleans.Grains.Accounts;

[GenerateSerializer]
public enum BreakerState
{
    Closed,
    Open,
    HalfOpen,
}
