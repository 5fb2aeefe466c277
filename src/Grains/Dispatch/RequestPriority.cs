namespace ImageOrleans.Grains.Dispatch;

/// <summary>Priority class of a request: high never waits behind normal, low (batch) fills what is left.</summary>
[GenerateSerializer]
public enum RequestPriority
{
    High = 0,
    Normal = 1,
    Low = 2,
}
