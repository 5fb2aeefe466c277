using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>A gateway does not start with a client key short enough to guess.</summary>
public sealed class ClientKeyLengthTests
{
    [Theory]
    [InlineData("ImageOrleans:Dev:ClientKey", "sk-dev-short-key-000000", "ImageOrleans:Dev:ClientKey must be at least 24 characters")]
    [InlineData("ImageOrleans:ClientKeys:short:Key", "sk-short-client-key-000", "ImageOrleans:ClientKeys:short:Key must be at least 24 characters")]
    public void A_configured_key_of_23_characters_stops_start_up_naming_the_setting(string setting, string key, string message)
    {
        Assert.Equal(23, key.Length);
        using var factory = new ConfiguredGateway([new(setting, key)]);

        var failure = Record.Exception(factory.Start);

        Assert.NotNull(failure);
        Assert.Contains(message, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_test_keys_are_long_enough()
    {
        foreach (var key in new[] { GatewayFactory.KeyA, GatewayFactory.KeyA2, GatewayFactory.KeyB, AdminGatewayFixture.AdminKey })
        {
            Assert.True(key.Length >= 24, key);
        }
    }

    private sealed class ConfiguredGateway(KeyValuePair<string, string?>[] settings) : GatewayFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => settings;
    }
}
