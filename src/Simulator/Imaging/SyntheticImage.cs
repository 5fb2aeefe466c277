using System.Buffers;

namespace ImageOrleans.Simulator.Imaging;

/// <summary>
/// Deterministic stand-in artwork: a four-corner colour gradient crossed by diagonal bands, all chosen
/// by a 64-bit seed derived from the prompt, the requested size and the image's index in the response.
/// </summary>
internal static class SyntheticImage
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>Stable across processes and runs (unlike string.GetHashCode): FNV-1a, then a SplitMix64 finalizer.</summary>
    public static ulong Seed(string prompt, string? size, int index)
    {
        var hash = FnvOffset;
        hash = Append(hash, prompt);
        hash = (hash ^ 0x1F) * FnvPrime;
        hash = Append(hash, size ?? "");
        hash ^= (ulong)(index + 1) * 0x9E3779B97F4A7C15UL;
        return Mix(hash);
    }

    public static byte[] RenderPng(ulong seed, int width, int height)
    {
        var length = checked(width * height * 3);
        var pixels = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Paint(seed, width, height, pixels.AsSpan(0, length));
            return PngEncoder.EncodeRgb(pixels.AsSpan(0, length), width, height);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    public static void Paint(ulong seed, int width, int height, Span<byte> rgb)
    {
        if (rgb.Length != checked(width * height * 3))
        {
            throw new ArgumentException("The buffer must hold width × height RGB pixels.", nameof(rgb));
        }

        var state = seed;
        Span<byte> corners = stackalloc byte[12];
        for (var i = 0; i < corners.Length; i += 6)
        {
            var bits = Next(ref state);
            for (var j = 0; j < 6; j++)
            {
                corners[i + j] = (byte)(bits >> (j * 8));
            }
        }

        var pattern = Next(ref state);
        var stepX = 1 + (int)(pattern & 3);
        var stepY = 1 + (int)((pattern >> 2) & 3);
        var period = 4 + (int)((pattern >> 4) & 7);
        var shade = 16 + (int)((pattern >> 8) & 31);

        // Fixed-point (16.16) interpolation stepped along each row, and the band phase stepped the
        // same way, keep divisions out of the per-pixel loop.
        var spanX = Math.Max(width - 1, 1);
        var spanY = Math.Max(height - 1, 1);
        var bandCycle = 2 * period;
        for (var y = 0; y < height; y++)
        {
            var row = rgb.Slice(y * width * 3, width * 3);
            var r = Blend(corners[0], corners[6], y, spanY);
            var g = Blend(corners[1], corners[7], y, spanY);
            var b = Blend(corners[2], corners[8], y, spanY);
            var stepR = (Blend(corners[3], corners[9], y, spanY) - r) / spanX;
            var stepG = (Blend(corners[4], corners[10], y, spanY) - g) / spanX;
            var stepB = (Blend(corners[5], corners[11], y, spanY) - b) / spanX;
            var phase = y * stepY % bandCycle;
            for (var x = 0; x < row.Length; x += 3)
            {
                var band = phase < period ? shade : -shade;
                row[x] = Clamp((r >> 16) + band);
                row[x + 1] = Clamp((g >> 16) + band);
                row[x + 2] = Clamp((b >> 16) + band);
                r += stepR;
                g += stepG;
                b += stepB;
                phase += stepX;
                if (phase >= bandCycle)
                {
                    phase -= bandCycle;
                }
            }
        }
    }

    // A channel between a top and a bottom corner at row y, in 16.16 fixed point.
    private static int Blend(byte top, byte bottom, int y, int spanY) =>
        (int)((((long)top * (spanY - y)) + ((long)bottom * y)) * 65536 / spanY);

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);

    private static ulong Append(ulong hash, string text)
    {
        foreach (var ch in text)
        {
            hash = (hash ^ (byte)ch) * FnvPrime;
            hash = (hash ^ (byte)(ch >> 8)) * FnvPrime;
        }

        return hash;
    }

    private static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
