namespace ImageOrleans.Grains.Configuration;

/// <summary>
/// Whether grain state outlives the process. With in-memory storage (the embedded default) it does
/// not, so grains skip their last write when the silo shuts down: the storage grains are already
/// gone by then and the write could only fail.
/// </summary>
public sealed record StorageDurability(bool Durable)
{
    /// <summary>True when a deactivation for this reason should still write state.</summary>
    public bool SaveOn(DeactivationReason reason) => Durable || reason.ReasonCode != DeactivationReasonCode.ShuttingDown;
}
