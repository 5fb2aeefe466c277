namespace ImageOrleans.Grains.Configuration;

/// <summary>The grain storage providers the grains use; every cluster profile must register each one.</summary>
public static class GrainStorageNames
{
    public const string Accounts = "accounts";
    public const string Pool = "pool";
    public const string Cache = "cache";
    public const string Idempotency = "idempotency";
    public const string Maintenance = "maintenance";
    public const string ClientKeys = "clientkeys";
    public const string Usage = "usage";
    public const string Files = "files";
    public const string Batches = "batches";

    public static readonly IReadOnlyList<string> All = [Accounts, Pool, Cache, Idempotency, Maintenance, ClientKeys, Usage, Files, Batches];
}
