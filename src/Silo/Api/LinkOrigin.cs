using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// The scheme and host put in front of image links. Never the request's <c>Host</c> header as such:
/// anyone can send one, and a link pointing at a host of the sender's choosing hands the signed
/// path to that host. In order: <c>Images:PublicBaseUrl</c>; the request's host when
/// <c>AllowedHosts</c> names hosts (not <c>*</c>) and accepts it; else the address the request
/// arrived on, as this server listens on it (a configured URL such as http://localhost:5000, or
/// the local IP address and port for a wildcard binding).
/// </summary>
public sealed class LinkOrigin(IOptionsMonitor<HostFilteringOptions> hostFiltering, IServer server)
{
    public string Of(HttpRequest? request, string? publicBaseUrl)
    {
        if (!string.IsNullOrEmpty(publicBaseUrl))
        {
            return publicBaseUrl.TrimEnd('/');
        }

        if (request is null)
        {
            // Not an HTTP request of this server (a gRPC call): the first address the HTTP front door listens on.
            return FirstAddress("http");
        }

        var allowed = hostFiltering.CurrentValue.AllowedHosts;
        // As the host filtering middleware reads the list: any of these entries lets every host in.
        var restricted = allowed is { Count: > 0 } && !allowed.Any(h => h is "*" or "0.0.0.0" or "[::]");
        if (restricted && request.Host.HasValue
            && HostString.MatchesAny(request.Host.Host, [.. allowed.Select(h => new StringSegment(h))]))
        {
            return $"{request.Scheme}://{request.Host}{request.PathBase}";
        }

        return $"{Listening(request.HttpContext.Connection, request.Scheme)}{request.PathBase}";
    }

    private string Listening(ConnectionInfo connection, string scheme)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == scheme
                && uri.Port == connection.LocalPort && !IsWildcard(uri.Host))
            {
                return $"{uri.Scheme}://{uri.Authority}";
            }
        }

        if (connection.LocalIpAddress is { } ip)
        {
            var local = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            var host = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
            return $"{scheme}://{host}:{connection.LocalPort}";
        }

        // No socket (an in-memory test server): the first address the server was told to use.
        return FirstAddress(scheme);
    }

    private string FirstAddress(string scheme) =>
        (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri : null)
            .FirstOrDefault(u => u is not null && !IsWildcard(u.Host)) is { } first
            ? $"{first.Scheme}://{first.Authority}"
            : $"{scheme}://localhost";

    private static bool IsWildcard(string host) =>
        host is "+" or "*" or "[::]" or "::" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
}
