namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>A started gateway shared by the tests of one class.</summary>
public class GatewayFixture : GatewayFactory, IAsyncLifetime
{
    public Task InitializeAsync()
    {
        Start();
        return Task.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
