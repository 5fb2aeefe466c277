using System.Globalization;
using ImageOrleans.Grains.Errors;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Models;

/// <summary>
/// Turns the model a client names into the model that runs. In order: a name an account explicitly
/// serves runs under its own name (a compatible vendor may still serve a retired model); an alias picks
/// one of its served targets by percentage; a retired model gets 404 <c>model_not_found</c> naming its
/// shutdown date and successor; anything else unknown gets the plain 404.
/// </summary>
public sealed class ModelResolver(ModelCatalogue catalogue, IOptions<ModelAliasOptions> aliases, TimeProvider time)
{
    /// <summary>Resolves with a random percentage roll for alias splits.</summary>
    public ModelResolution? Resolve(string requested, IReadOnlySet<string> served, out GatewayError? error) =>
        Resolve(requested, served, Random.Shared.Next(100), out error);

    /// <summary>Resolves with the given roll (0–99): the alias target whose cumulative share first exceeds it.</summary>
    public ModelResolution? Resolve(string requested, IReadOnlySet<string> served, int roll, out GatewayError? error)
    {
        error = null;
        var spec = catalogue.Find(requested);
        var resolution = new ModelResolution
        {
            Requested = requested,
            Model = requested,
            ShutdownDate = spec?.ShutdownDate,
            Successor = spec?.Successor,
        };
        if (Contains(served, requested))
        {
            return resolution;
        }

        if (aliases.Value.Aliases.TryGetValue(requested, out var targets) && targets.Count > 0)
        {
            var candidates = targets.Where(t => Contains(served, t.Key)).ToList();
            if (candidates.Count == 0)
            {
                error = GatewayErrors.ModelNotFound(requested);
                return null;
            }

            // Shares of targets no account serves go to the others in proportion.
            var total = candidates.Sum(t => t.Value);
            var point = Math.Clamp(roll, 0, 99) * total / 100;
            var running = 0;
            foreach (var (target, share) in candidates)
            {
                running += share;
                if (point < running)
                {
                    return resolution with { Model = target, Aliased = true };
                }
            }

            return resolution with { Model = candidates[^1].Key, Aliased = true };
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        error = spec is not null && spec.IsRetired(today)
            ? GatewayErrors.ModelRetired(requested, spec.ShutdownDate!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), spec.Successor)
            : GatewayErrors.ModelNotFound(requested);
        return null;
    }

    private static bool Contains(IReadOnlySet<string> served, string model) =>
        served.Contains(model) || served.Any(s => string.Equals(s, model, StringComparison.OrdinalIgnoreCase));
}
