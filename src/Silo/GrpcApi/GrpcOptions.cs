namespace ImageOrleans.Silo.GrpcApi;

/// <summary>The gRPC front door (section <c>ImageOrleans:Grpc</c>): HTTP/2 on a port of its own.</summary>
public sealed class GrpcOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where it listens. Cleartext HTTP/2 (h2c) cannot share a port with HTTP/1.1, hence its own port;
    /// in production put TLS in front of it or use an https URL with a certificate in Kestrel's settings.
    /// Port 0 picks a free port (printed at start).
    /// </summary>
    public string Url { get; set; } = "http://localhost:5001";

    /// <summary>
    /// gRPC-Web (for browsers, over HTTP/1.1) on the gateway's HTTP port: the same service at
    /// <c>/imageorleans.v1.Images/*</c> with <c>content-type: application/grpc-web</c> or <c>grpc-web-text</c>.
    /// </summary>
    public bool Web { get; set; } = true;

    /// <summary>
    /// Origins of web pages allowed to call gRPC-Web across origins (CORS, with the grpc-status,
    /// grpc-message and grpc-status-details-bin headers exposed). Empty: same origin only.
    /// </summary>
    public IList<string> WebAllowedOrigins { get; } = [];

    /// <summary>Largest message accepted from a client: an <c>Edit</c> carries its files inside it.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;
}
