using System.Text.Json;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>Reads Server-Sent Events off a response, one event at a time, as a client sees them arrive.</summary>
public sealed class ServerSentEvents(Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body);

    public async Task<(string Type, JsonElement Data)?> NextAsync()
    {
        string? type = null;
        string? data = null;
        while (await _reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    return (type ?? "message", JsonDocument.Parse(data).RootElement.Clone());
                }

                continue;
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }

        return null;
    }

    public async Task<List<(string Type, JsonElement Data)>> AllAsync()
    {
        var all = new List<(string, JsonElement)>();
        while (await NextAsync() is { } next)
        {
            all.Add(next);
        }

        return all;
    }

    public void Dispose() => _reader.Dispose();
}
