using System.Text;

namespace ImageOrleans.Grains.Tests.Secrets;

/// <summary>Searches bytes for a secret in every form it could be stored in: UTF-8, UTF-16 and base64 of both.</summary>
public static class SecretBytes
{
    public static IEnumerable<(string Form, byte[] Bytes)> Forms(string secret)
    {
        var utf8 = Encoding.UTF8.GetBytes(secret);
        var utf16 = Encoding.Unicode.GetBytes(secret);
        yield return ("UTF-8", utf8);
        yield return ("UTF-16", utf16);
        yield return ("base64 of UTF-8", Encoding.ASCII.GetBytes(Convert.ToBase64String(utf8).TrimEnd('=')));
        yield return ("base64 of UTF-16", Encoding.ASCII.GetBytes(Convert.ToBase64String(utf16).TrimEnd('=')));
    }

    public static void AssertAbsent(byte[] bytes, string secret)
    {
        foreach (var (form, needle) in Forms(secret))
        {
            Assert.False(bytes.AsSpan().IndexOf(needle) >= 0, $"the secret appears in the bytes as {form}");
        }
    }
}
