namespace ImageOrleans.Grains.Maintenance;

/// <summary>The reminder that drives a cluster-wide sweep.</summary>
public static class SweepReminders
{
    /// <summary>
    /// Registers the reminder unless it exists. Every silo calls this at start; only the first
    /// registration counts, so restarts do not keep pushing the next sweep away. Reminders tick at most
    /// once a minute, so a shorter interval is raised to a minute.
    /// </summary>
    public static async Task EnsureAsync(Grain grain, string name, TimeSpan interval)
    {
        if (await grain.GetReminder(name) is null)
        {
            var period = interval < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : interval;
            await grain.RegisterOrUpdateReminder(name, period, period);
        }
    }
}
