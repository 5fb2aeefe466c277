namespace ImageOrleans.Grains.ClientKeys;

[GenerateSerializer, Immutable, Alias("io.ClientKeyEntry")]
public sealed record ClientKeyEntry([property: Id(0)] string KeyId, [property: Id(1)] DateTimeOffset? ValidUntil);
