namespace ImageOrleans.Grains.ClientKeys;

/// <summary>How a request took part in a generation, which decides what it pays.</summary>
public enum SettlementRole
{
    /// <summary>Its job started the upstream generation: it pays for what the upstream produced.</summary>
    Originator,

    /// <summary>It was answered from another request's generation (cache hit, coalesced wait, replay): free.</summary>
    Beneficiary,
}
