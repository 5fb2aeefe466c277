namespace ImageOrleans.Grains.Accounts;

/// <summary>What happened to one upstream call, as far as the account's health and the retry policy care.</summary>
[GenerateSerializer]
public enum OutcomeKind
{
    Success,

    /// <summary>429 rate_limit_exceeded: cool the account down, try another.</summary>
    RateLimited,

    /// <summary>429 insufficient_quota: billing, not pacing; the account leaves rotation for the model.</summary>
    QuotaExhausted,

    /// <summary>403 (or 404 for the model): the account cannot use this model yet.</summary>
    Forbidden,

    /// <summary>401: the key is wrong or revoked.</summary>
    Unauthorized,

    ServerError,
    Timeout,
    ConnectionFailed,
    MalformedResponse,

    /// <summary>400-class caused by the request itself: no retry, passed to the client.</summary>
    BadRequest,

    /// <summary>The prompt was refused by the upstream's safety system: no retry.</summary>
    ContentPolicy,

    /// <summary>The client went away; says nothing about the account.</summary>
    Cancelled,
}
