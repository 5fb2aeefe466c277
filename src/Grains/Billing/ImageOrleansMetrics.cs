using System.Diagnostics.Metrics;

namespace ImageOrleans.Grains.Billing;

/// <summary>The gateway's own metrics (meter "ImageOrleans"), for OpenTelemetry or dotnet-counters.</summary>
public sealed class ImageOrleansMetrics
{
    public const string MeterName = "ImageOrleans";

    private readonly Counter<long> _budgetAlerts;
    private readonly Counter<double> _spend;
    private readonly Counter<double> _saved;

    public ImageOrleansMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _budgetAlerts = meter.CreateCounter<long>("imageorleans.budget.alerts", description: "Budget thresholds crossed, by key, period and threshold.");
        _spend = meter.CreateCounter<double>("imageorleans.spend", unit: "USD", description: "Upstream spend charged to client keys.");
        _saved = meter.CreateCounter<double>("imageorleans.saved", unit: "USD", description: "Spend avoided by the prompt cache and coalescing.");
    }

    public void BudgetAlert(BudgetAlert alert) =>
        _budgetAlerts.Add(1, new("key", alert.KeyId), new("period", alert.Period), new("threshold", alert.Threshold));

    public void Charged(string keyId, string model, decimal spent, decimal saved)
    {
        if (spent > 0)
        {
            _spend.Add((double)spent, new("key", keyId), new("model", model));
        }

        if (saved > 0)
        {
            _saved.Add((double)saved, new("key", keyId), new("model", model));
        }
    }
}
