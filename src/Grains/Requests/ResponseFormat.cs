namespace ImageOrleans.Grains.Requests;

/// <summary>How generated images are returned to the client.</summary>
public enum ResponseFormat
{
    /// <summary>Inline base64 in <c>data[].b64_json</c>.</summary>
    Base64Json,

    /// <summary>A signed, expiring link served by the gateway in <c>data[].url</c>.</summary>
    Url,
}
