using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Idempotency;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Secrets;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Silo.Hosting;
using ImageOrleans.Simulator;
using Microsoft.Extensions.Configuration;

namespace ImageOrleans.Deployment.Tests;

/// <summary>
/// Tells whether an environment variable is a setting the silo binds. Each section of <c>ImageOrleans</c>
/// is bound to its options classes with the binder's own unknown-key check, so a misspelt key, a key of
/// no section, or a value the binder cannot convert is refused, exactly as the binder sees it.
/// </summary>
public static class SiloSettings
{
    private const string Root = ImageOrleansOptions.SectionName;

    // The sections the silo binds (AddImageOrleansGrainServices, AddImageOrleansSilo); a section read by
    // several options classes lists each of them.
    private static readonly Dictionary<string, Type[]> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Cache"] = [typeof(CacheOptions)],
        ["Dispatch"] = [typeof(DispatchOptions)],
        ["AccountPolicy"] = [typeof(AccountPolicyOptions)],
        ["Images"] = [typeof(ImagesOptions)],
        ["Idempotency"] = [typeof(IdempotencyOptions)],
        [UpstreamsOptions.SectionName] = [typeof(UpstreamsOptions)],
        ["Billing"] = [typeof(BillingOptions)],
        ["Secrets"] = [typeof(SecretsOptions)],
        ["FrontDoor"] = [typeof(FrontDoorOptions)],
        ["Dev"] = [typeof(DevOptions)],
        ["Cluster"] = [typeof(ClusterProfileOptions)],
        ["Simulator"] = [typeof(EmbeddedSimulatorOptions), typeof(SimulatorOptions)],
        ["Admin"] = [typeof(AdminOptions)],
    };

    /// <summary>Why the variable is not a setting the silo binds, or null when it is one.</summary>
    public static string? Problem(string variable, string? value)
    {
        var path = variable.Replace("__", ":", StringComparison.Ordinal);
        if (path.StartsWith("Logging:LogLevel:", StringComparison.Ordinal) && path.Count(c => c == ':') == 2)
        {
            return Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(value, out _) ? null : $"{variable}: '{value}' is not a log level.";
        }

        if (!path.StartsWith(Root + ":", StringComparison.Ordinal))
        {
            return $"{variable} is outside the {Root} section.";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(path, value)]).Build().GetSection(Root);
        var section = path.Split(':')[1];
        var candidates = Sections.TryGetValue(section, out var types)
            ? types.Select(t => (Type: t, Section: configuration.GetSection(section)))
            : [(typeof(ImageOrleansOptions), configuration)];

        var errors = new List<string>();
        foreach (var (type, bound) in candidates)
        {
            try
            {
                bound.Get(type, o => o.ErrorOnUnknownConfiguration = true);
                return null;
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"{type.Name}: {ex.Message}");
            }
        }

        return $"{variable} is not a setting the silo binds ({string.Join("; ", errors)}).";
    }

    /// <summary>The given variables as the silo's configuration (<c>__</c> read as <c>:</c>).</summary>
    public static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string>> variables) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(variables.Select(v => new KeyValuePair<string, string?>(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value)))
            .Build();
}
