using System.Diagnostics.Metrics;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Grains.Tests.Upstreams;

/// <summary>Every fault class is counted under its own name; answers that are not faults are not.</summary>
public sealed class FaultMetricsTests
{
    [Fact]
    public void Each_fault_class_has_its_own_series()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new ImageOrleansMetrics(services.GetRequiredService<IMeterFactory>());
        var counted = new List<(string Account, string Fault, long Value)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == "imageorleans.upstream.faults")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var tagList = tags.ToArray();
            counted.Add(((string)tagList.Single(t => t.Key == "account").Value!, (string)tagList.Single(t => t.Key == "fault").Value!, value));
        });
        listener.Start();

        foreach (var (kind, fault) in new[]
        {
            (OutcomeKind.ServerError, UpstreamFault.ServerError),
            (OutcomeKind.Timeout, UpstreamFault.Hang),
            (OutcomeKind.ConnectionFailed, UpstreamFault.Reset),
            (OutcomeKind.MalformedResponse, UpstreamFault.Truncated),
            (OutcomeKind.MalformedResponse, UpstreamFault.Malformed),
            (OutcomeKind.Timeout, UpstreamFault.SlowBody),
            (OutcomeKind.RateLimited, UpstreamFault.None),
            (OutcomeKind.Success, UpstreamFault.None),
        })
        {
            metrics.UpstreamAttempt("acct", "m", new UpstreamResult { Kind = kind, Fault = fault });
        }

        Assert.Equal(
            [("acct", "server_error", 1L), ("acct", "hang", 1L), ("acct", "reset", 1L), ("acct", "truncated", 1L), ("acct", "malformed", 1L), ("acct", "slow_body", 1L)],
            counted);
    }
}
