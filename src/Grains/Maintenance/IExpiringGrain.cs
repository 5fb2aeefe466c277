namespace ImageOrleans.Grains.Maintenance;

/// <summary>A grain whose stored state has an end of life, after which the sweep deletes it.</summary>
public interface IExpiringGrain : IGrainWithStringKey
{
    /// <summary>Deletes the stored state if it has expired; true when something was deleted.</summary>
    Task<bool> ExpireAsync();
}
