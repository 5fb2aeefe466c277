using System.Buffers.Binary;

namespace ImageOrleans.Simulator.Imaging;

/// <summary>The CRC-32 that PNG chunks carry (ISO-HDLC: reflected polynomial 0xEDB88320).</summary>
internal static class Crc32
{
    private const uint Polynomial = 0xEDB88320u;

    // Eight tables for slicing-by-8: eight bytes per step instead of one, which makes checksumming
    // an image's IDAT several times cheaper than the classic single-table loop.
    private static readonly uint[] Tables = BuildTables();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC computed over earlier data; start from 0.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var tables = Tables;
        var c = ~crc;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = tables[(7 * 256) + (low & 0xFF)]
                ^ tables[(6 * 256) + ((low >> 8) & 0xFF)]
                ^ tables[(5 * 256) + ((low >> 16) & 0xFF)]
                ^ tables[(4 * 256) + (low >> 24)]
                ^ tables[(3 * 256) + (high & 0xFF)]
                ^ tables[(2 * 256) + ((high >> 8) & 0xFF)]
                ^ tables[256 + ((high >> 16) & 0xFF)]
                ^ tables[high >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            c = tables[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return ~c;
    }

    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            }

            tables[n] = c;
        }

        // Table k advances a byte through k further zero bytes.
        for (var k = 1; k < 8; k++)
        {
            for (var n = 0; n < 256; n++)
            {
                var previous = tables[((k - 1) * 256) + n];
                tables[(k * 256) + n] = (previous >> 8) ^ tables[previous & 0xFF];
            }
        }

        return tables;
    }
}
