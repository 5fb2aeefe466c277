namespace ImageOrleans.Grains.Accounts;

/// <summary>A silo's wait queue, told by an account grain that a lease ended and capacity is free.</summary>
public interface ICapacityObserver : IGrainObserver
{
    [OneWay]
    Task CapacityFreed(string accountId);
}
