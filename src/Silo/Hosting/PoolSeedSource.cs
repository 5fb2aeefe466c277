using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// The accounts configuration seeds the pool with: those under <c>ImageOrleans:Accounts</c>, or,
/// when there are none and the simulator is embedded, a small pool of simulated accounts.
/// </summary>
public sealed class PoolSeedSource(IOptions<ImageOrleansOptions> root, IOptions<EmbeddedSimulatorOptions> simulator)
{
    public IReadOnlyList<UpstreamAccount> Accounts { get; } = Build(root.Value, simulator.Value);

    private static List<UpstreamAccount> Build(ImageOrleansOptions root, EmbeddedSimulatorOptions simulator)
    {
        if (root.Accounts.Count > 0 || !simulator.Embedded)
        {
            return [.. root.Accounts.Select(a => a.Value.ToAccount(a.Key))];
        }

        var models = ModelCatalogue.BuiltIn().Keys.Order(StringComparer.Ordinal).ToList();
        return
        [
            .. Enumerable.Range(1, simulator.Accounts).Select(i => new UpstreamAccount
            {
                Id = $"sim-{i}",
                Kind = UpstreamKind.Simulated,
                ApiKey = new UpstreamSecret($"sim-key-{i}"),
                Models = models,
                RequestsPerMinute = simulator.RequestsPerMinute,
                ImagesPerMinute = simulator.ImagesPerMinute,
                MaxConcurrency = simulator.MaxConcurrency,
            }),
        ];
    }
}
