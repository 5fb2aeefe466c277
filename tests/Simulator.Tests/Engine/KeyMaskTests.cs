using ImageOrleans.Simulator.Engine;
using Xunit;

namespace ImageOrleans.Simulator.Tests.Engine;

public sealed class KeyMaskTests
{
    [Theory]
    [InlineData("sk-proj-1234567890abcd", "sk-...abcd")]
    [InlineData("sim-key-1", "...-1")]
    [InlineData("abc", "...")]
    [InlineData("", "(none)")]
    [InlineData(null, "(none)")]
    public void NeverRevealsMostOfTheKey(string? key, string expected) => Assert.Equal(expected, KeyMask.Mask(key));
}
