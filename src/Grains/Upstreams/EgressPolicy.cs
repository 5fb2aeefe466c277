using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// Holds the upstream and webhook HTTP clients to <see cref="EgressRules"/> at the moment they
/// connect: the name must be allowed, and the connection goes only to resolved addresses that are
/// allowed, so a name that resolves (or is re-pointed) to a metadata address never reaches it.
/// The embedded simulator, which this process runs itself, is always reachable.
/// </summary>
public sealed partial class EgressPolicy(IOptions<UpstreamsOptions> options, EmbeddedSimulatorEndpoint simulator, ILogger<EgressPolicy> logger)
{
    public EgressRules Rules { get; } = new(options.Value.AllowedHosts);

    /// <summary>Name resolution; replaceable so a test can make a name resolve to a metadata address.</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>Why <paramref name="url"/> may not be called, or null when it may (the check made when a URL is configured).</summary>
    public string? Refusal(Uri url) => IsEmbeddedSimulator(url.IdnHost, url.Port) ? null : Rules.Refusal(url);

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects only where the rules allow.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var simulated = IsEmbeddedSimulator(host, port);
        if (!simulated && Rules.Refusal(host) is { } refusal)
        {
            throw Refused(host, refusal);
        }

        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Resolve(host, cancellationToken).ConfigureAwait(false);
        var allowed = simulated ? addresses : [.. addresses.Where(Rules.AllowsAddress)];
        if (allowed.Length == 0)
        {
            throw Refused(host, $"'{host}' resolves only to link-local or cloud-metadata addresses.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private HttpRequestException Refused(string host, string reason)
    {
        LogRefused(logger, host, reason);
        return new HttpRequestException(HttpRequestError.ConnectionError, $"Connection to '{host}' refused by the egress policy: {reason}");
    }

    private bool IsEmbeddedSimulator(string host, int port) =>
        simulator.ApiBase is { } own && own.Port == port && string.Equals(own.IdnHost.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 2791, Level = LogLevel.Warning, Message = "Refused to connect to {Host}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string host, string reason);
}
