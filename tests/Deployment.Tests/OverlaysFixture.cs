namespace ImageOrleans.Deployment.Tests;

/// <summary>Both overlays rendered once for all the manifest tests.</summary>
public sealed class OverlaysFixture : IAsyncLifetime
{
    public static TheoryData<string> Names => ["dev", "prod"];

    private readonly Dictionary<string, RenderedOverlay> _overlays = new(StringComparer.Ordinal);

    public RenderedOverlay this[string name] => _overlays[name];

    public async Task InitializeAsync()
    {
        foreach (var name in Names)
        {
            _overlays[name] = await RenderedOverlay.RenderAsync(name);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
