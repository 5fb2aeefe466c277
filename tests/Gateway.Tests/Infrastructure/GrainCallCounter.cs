using System.Collections.Concurrent;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>Counts the grain calls a silo receives, by interface and method (<c>IClientKeyGrain.AdmitAsync</c>).</summary>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public int this[string method] => _calls.GetValueOrDefault(method);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        _calls.AddOrUpdate($"{context.InterfaceMethod.DeclaringType?.Name}.{context.InterfaceMethod.Name}", 1, (_, n) => n + 1);
        await context.Invoke();
    }

    /// <summary>How many calls each of <paramref name="methods"/> has received so far.</summary>
    public Dictionary<string, int> Snapshot(params string[] methods) => methods.ToDictionary(m => m, m => this[m], StringComparer.Ordinal);

    /// <summary>The calls each of the snapshot's methods received since it was taken.</summary>
    public Dictionary<string, int> Since(Dictionary<string, int> snapshot) => snapshot.ToDictionary(p => p.Key, p => this[p.Key] - p.Value, StringComparer.Ordinal);
}
