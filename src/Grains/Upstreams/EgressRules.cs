using System.Net;
using System.Net.Sockets;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// Which hosts and addresses the gateway may send an upstream call or a webhook to: the allow-list of
/// <c>ImageOrleans:Upstreams:AllowedHosts</c> for names, and never a link-local or cloud-metadata
/// address (where a cloud VM hands out its credentials) unless that address is listed itself.
/// </summary>
public sealed class EgressRules
{
    public const string Setting = "ImageOrleans:Upstreams:AllowedHosts";

    // AWS IPv6 instance metadata, and Alibaba Cloud's metadata address (outside link-local).
    private static readonly IPAddress[] MetadataAddresses = [IPAddress.Parse("fd00:ec2::254"), IPAddress.Parse("100.100.100.200")];

    private readonly string[] _names;
    private readonly string[] _suffixes;
    private readonly HashSet<IPAddress> _addresses;
    private readonly bool _anyHost;

    public EgressRules(IEnumerable<string> allowedHosts)
    {
        var entries = allowedHosts.Select(h => h.Trim()).Where(h => h.Length > 0).ToList();
        IsRestricted = entries.Count > 0;
        _anyHost = entries.Contains("*");
        _addresses = [.. entries.Select(e => IPAddress.TryParse(e.Trim('[', ']'), out var ip) ? Normal(ip) : null).OfType<IPAddress>()];
        _suffixes = [.. entries.Where(e => e.StartsWith("*.", StringComparison.Ordinal)).Select(e => Normal(e[1..]))];
        _names = [.. entries.Where(e => !e.Contains('*', StringComparison.Ordinal)).Select(Normal)];
    }

    /// <summary>True when an allow-list is configured: names must be on it.</summary>
    public bool IsRestricted { get; }

    /// <summary>Why <paramref name="url"/> may not be called, or null when it may.</summary>
    public string? Refusal(Uri url) => Refusal(url.IdnHost);

    /// <summary>Why <paramref name="host"/> (a name or an address) may not be called, or null when it may.</summary>
    public string? Refusal(string host)
    {
        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var ip))
        {
            var address = Normal(ip);
            if (_addresses.Contains(address))
            {
                return null;
            }

            if (IsLinkLocalOrMetadata(address))
            {
                return $"'{bare}' is a link-local or cloud-metadata address; list it in {Setting} to allow it.";
            }

            return !IsRestricted || _anyHost ? null : $"'{bare}' is not in {Setting}.";
        }

        if (!IsRestricted || _anyHost)
        {
            return null;
        }

        var name = Normal(host);
        return _names.Contains(name, StringComparer.Ordinal) || _suffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal))
            ? null
            : $"'{name}' is not in {Setting}.";
    }

    /// <summary>Whether a resolved address may be connected to: anything but link-local and metadata addresses, unless listed.</summary>
    public bool AllowsAddress(IPAddress address)
    {
        var normal = Normal(address);
        return !IsLinkLocalOrMetadata(normal) || _addresses.Contains(normal);
    }

    /// <summary>Why an allow-list entry is malformed, or null.</summary>
    public static string? EntryProblem(string entry)
    {
        var e = entry.Trim();
        if (e is "*" || IPAddress.TryParse(e.Trim('[', ']'), out _))
        {
            return null;
        }

        var name = e.StartsWith("*.", StringComparison.Ordinal) ? e[2..] : e;
        return name.Length > 0 && Uri.CheckHostName(name) == UriHostNameType.Dns
            ? null
            : $"'{entry}' is not a host name, an IP address, a '*.domain' pattern or '*'.";
    }

    public static bool IsLinkLocalOrMetadata(IPAddress address)
    {
        var a = Normal(address);
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = a.GetAddressBytes();
            return (bytes[0] == 169 && bytes[1] == 254) || MetadataAddresses.Contains(a);
        }

        return a.IsIPv6LinkLocal || MetadataAddresses.Contains(a);
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Normal(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}
