using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// The accounts configuration seeds the pool with: those under <c>ImageOrleans:Accounts</c>, or,
/// when there are none and the simulator is embedded, a small pool of simulated accounts.
/// </summary>
public sealed class PoolSeedSource(IOptions<ImageOrleansOptions> root, IOptions<EmbeddedSimulatorOptions> simulator, TimeProvider time)
{
    public IReadOnlyList<UpstreamAccount> Accounts { get; } = Build(root.Value, simulator.Value, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));

    private static List<UpstreamAccount> Build(ImageOrleansOptions root, EmbeddedSimulatorOptions simulator, DateOnly today)
    {
        if (root.Accounts.Count > 0 || !simulator.Embedded)
        {
            return [.. root.Accounts.Select(a => a.Value.ToAccount(a.Key))];
        }

        // The models in service today: a retired one is reached through an alias, as with OpenAI itself.
        IReadOnlyList<string> models = simulator.Models.Count > 0 ? [.. simulator.Models] : ModelCatalogue.Current(today);
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
