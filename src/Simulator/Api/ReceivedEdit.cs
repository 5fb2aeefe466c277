namespace ImageOrleans.Simulator.Api;

/// <summary>An edit or variation the simulator checked: its file parts in order, and its text fields.</summary>
public sealed record ReceivedEdit(string MaskedKey, string Endpoint, IReadOnlyList<ReceivedPart> Images, ReceivedPart? Mask, IReadOnlyDictionary<string, string> Fields);
