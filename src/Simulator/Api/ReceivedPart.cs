namespace ImageOrleans.Simulator.Api;

/// <summary>One file part of an edit or variation as the simulator received it.</summary>
public sealed record ReceivedPart(string Name, string FileName, string ContentType, long Length, string Sha256);
