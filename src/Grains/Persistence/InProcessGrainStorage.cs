using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ImageOrleans.Grains.Persistence;

/// <summary>
/// Grain state of the single-process (localhost) profile, held in this process for its lifetime: what
/// the grains write outlives their activations, not the process. Each write is the state in Orleans'
/// binary form, as the PostgreSQL profile stores it (so an upstream key is sealed here too, and a
/// grain's later changes never reach what it wrote), with an etag that refuses a write from a stale
/// activation. Unlike Orleans' memory storage it makes no grain call and no JSON per write: the
/// prompt cache writes once per generation.
/// </summary>
public sealed class InProcessGrainStorage(Serializer serializer, IActivatorProvider activators) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, GrainId GrainId), Row> _rows = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_rows.TryGetValue((stateName, grainId), out var row))
        {
            grainState.State = serializer.Deserialize<T>(row.State);
            grainState.ETag = Tag(row.Version);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = activators.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var bytes = serializer.SerializeToArray(grainState.State);
        var expected = grainState.ETag;
        var row = _rows.AddOrUpdate(
            (stateName, grainId),
            static (key, arg) => arg.Expected is null ? new Row(arg.Bytes, 1) : throw Conflict(key),
            static (key, current, arg) => Tag(current.Version) == arg.Expected ? new Row(arg.Bytes, current.Version + 1) : throw Conflict(key),
            (Bytes: bytes, Expected: expected));
        grainState.ETag = Tag(row.Version);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = (stateName, grainId);
        if (_rows.TryGetValue(key, out var current))
        {
            if (Tag(current.Version) != grainState.ETag || !_rows.TryRemove(new KeyValuePair<(string, GrainId), Row>(key, current)))
            {
                throw Conflict(key);
            }
        }
        else if (grainState.ETag is not null)
        {
            throw Conflict(key);
        }

        grainState.State = activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string Tag(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static InconsistentStateException Conflict((string StateName, GrainId GrainId) key) =>
        new($"State '{key.StateName}' of {key.GrainId} was changed by another activation since it was read.");

    private sealed record Row(byte[] State, long Version);
}
