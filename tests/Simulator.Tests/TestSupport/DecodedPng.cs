namespace ImageOrleans.Simulator.Tests.TestSupport;

internal sealed record DecodedPng(int Width, int Height, byte[] Pixels, IReadOnlyList<string> Chunks);
