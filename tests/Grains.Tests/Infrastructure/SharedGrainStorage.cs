using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Serialization;
using Orleans.Storage;

namespace ImageOrleans.Grains.Tests.Infrastructure;

/// <summary>
/// Grain state kept outside every silo of an in-process test cluster, as a database would keep it:
/// a silo that stops takes none of it along. Orleans' memory storage lives in grains of its own, so a
/// stopped silo loses whatever state those grains held, which no production storage does.
/// </summary>
public sealed class SharedGrainStorage(ConcurrentDictionary<string, (byte[] State, long Version)> rows, Serializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (rows.TryGetValue(Key(stateName, grainId), out var row))
        {
            grainState.State = serializer.Deserialize<T>(row.State);
            grainState.ETag = row.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var bytes = serializer.SerializeToArray(grainState.State);
        var version = rows.AddOrUpdate(
            key,
            _ => grainState.ETag is null ? (bytes, 1) : throw Conflict(stateName, grainId),
            (_, row) => row.Version.ToString(CultureInfo.InvariantCulture) == grainState.ETag ? (bytes, row.Version + 1) : throw Conflict(stateName, grainId)).Version;
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        rows.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string Key(string stateName, GrainId grainId) => stateName + "/" + grainId;

    private static InconsistentStateException Conflict(string stateName, GrainId grainId) =>
        new($"State {stateName} of {grainId} was written by another activation.");
}
