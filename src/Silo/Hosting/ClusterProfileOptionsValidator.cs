using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// Checks <c>ImageOrleans:Cluster</c> at start-up, naming the setting that is wrong. What only the production
/// profile needs (Redis, PostgreSQL, TLS) is checked where the silo is configured, with the same wording.
/// </summary>
public sealed class ClusterProfileOptionsValidator : IValidateOptions<ClusterProfileOptions>
{
    private const string Section = "ImageOrleans:Cluster";

    public ValidateOptionsResult Validate(string? name, ClusterProfileOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{Section}:Mode must be Localhost or Redis.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{Section}:ClusterId and {Section}:ServiceId must not be empty.");
        }

        // Port 0 is how the Kubernetes profile asks for the pod's own ports.
        foreach (var (setting, port) in new[] { ("SiloPort", options.SiloPort), ("GatewayPort", options.GatewayPort) })
        {
            if (port is < 0 or > 65535)
            {
                failures.Add($"{Section}:{setting} must be a TCP port (1-65535), not {port}.");
            }
        }

        if (options.SiloPort == options.GatewayPort && options.SiloPort != 0)
        {
            failures.Add($"{Section}:SiloPort and {Section}:GatewayPort must differ (both are {options.SiloPort}).");
        }

        if (options.ProbeTimeout <= TimeSpan.Zero || options.ProbeTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:ProbeTimeout must be more than zero and at most a minute, not {options.ProbeTimeout}.");
        }

        if (options.JoinTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:JoinTimeout must be positive, not {options.JoinTimeout}.");
        }

        if (options.AdvertisedAddress is { Length: > 0 } address && !System.Net.IPAddress.TryParse(address, out _)
            && Uri.CheckHostName(address) == UriHostNameType.Unknown)
        {
            failures.Add($"{Section}:AdvertisedAddress '{address}' is neither an IP address nor a host name.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
