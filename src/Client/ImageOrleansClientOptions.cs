namespace ImageOrleans.Client;

/// <summary>Where the gateway lives, how to authenticate and how long to wait for it.</summary>
/// <remarks>A class rather than a record so that no generated <c>ToString</c> ever prints the key.</remarks>
public sealed class ImageOrleansClientOptions
{
    /// <summary>The API root including the version segment, e.g. <c>http://localhost:5000/v1/</c>.</summary>
    public Uri BaseAddress { get; set; } = new("http://localhost:5000/v1/");

    /// <summary>Sent as <c>Authorization: Bearer</c>; when empty no authorization header is sent.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// How long one call may take, end to end. Image generation routinely takes a minute or more, so the default
    /// is generous; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> disables it. The supplied
    /// <see cref="HttpClient"/>'s own timeout still applies, so give it a longer or infinite one.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}
