namespace ImageOrleans.Cluster.Tests.Infrastructure;

/// <summary>All cluster tests share the servers and run one after another: each starts several silos.</summary>
[CollectionDefinition(Name)]
public sealed class ServersTests : ICollectionFixture<ServersFixture>
{
    public const string Name = "servers";
}
