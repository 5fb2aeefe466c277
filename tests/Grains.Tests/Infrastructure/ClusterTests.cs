namespace ImageOrleans.Grains.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ClusterTests : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
