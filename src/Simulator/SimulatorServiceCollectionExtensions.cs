using ImageOrleans.Simulator.Api;
using ImageOrleans.Simulator.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Simulator;

/// <summary>Registers the image simulator's services; pair with <see cref="SimulatorEndpointRouteBuilderExtensions.MapImageSimulator"/>.</summary>
public static class SimulatorServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="SimulatorOptions"/> from <paramref name="configuration"/>: a section is bound
    /// as is, a configuration root through its "Simulator" section. Options are validated at start-up.
    /// <paramref name="timeProvider"/> is the clock for rate limits and latency; by default a registered
    /// TimeProvider, else the system clock.
    /// </summary>
    public static IServiceCollection AddImageSimulator(this IServiceCollection services, IConfiguration configuration, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration as IConfigurationSection ?? configuration.GetSection(SimulatorOptions.SectionName);
        services.AddOptions<SimulatorOptions>().Bind(section);
        return services.AddImageSimulatorCore(timeProvider);
    }

    /// <summary>
    /// Configures <see cref="SimulatorOptions"/> in code. Options are validated at start-up.
    /// <paramref name="timeProvider"/> is the clock for rate limits and latency; by default a registered
    /// TimeProvider, else the system clock.
    /// </summary>
    public static IServiceCollection AddImageSimulator(this IServiceCollection services, Action<SimulatorOptions> configure, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SimulatorOptions>().Configure(configure);
        return services.AddImageSimulatorCore(timeProvider);
    }

    private static IServiceCollection AddImageSimulatorCore(this IServiceCollection services, TimeProvider? timeProvider)
    {
        services.AddOptions<SimulatorOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidator>());

        // The clock is handed to the engine rather than registered, so that a fake clock given here
        // does not leak into the rest of a host that embeds the simulator.
        services.TryAddSingleton(provider => new SimulatorEngine(
            provider.GetRequiredService<IOptions<SimulatorOptions>>().Value,
            timeProvider ?? provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetRequiredService<ILogger<SimulatorEngine>>(),
            provider.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None));
        services.TryAddSingleton<ImageGenerationHandler>();
        services.TryAddSingleton<EditLog>();
        return services;
    }
}
