using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Telemetry;
using ImageOrleans.Silo.Admin;
using ImageOrleans.Silo.Api;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ImageOrleans.Silo.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>Where OpenTelemetry's standard variable points the OTLP exporter.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Metrics (the gateway's meter, Orleans', ASP.NET Core's and HttpClient's) for the Prometheus
    /// scrape, and, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, traces and metrics over OTLP.
    /// Traces are only collected when something exports them.
    /// </summary>
    public static WebApplicationBuilder AddImageOrleansTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().Bind(builder.Configuration.GetSection($"{ImageOrleansOptions.SectionName}:{TelemetryOptions.SectionName}"))
            .Validate(o => o.SampleInterval >= TimeSpan.FromMilliseconds(100) && o.SampleInterval <= TimeSpan.FromMinutes(10),
                "ImageOrleans:Telemetry:SampleInterval must be between 00:00:00.1 and 00:10:00.")
            .ValidateOnStart();
        services.AddSingleton<RecentErrors>();
        services.AddSingleton<RequestTelemetryFilter>();
        services.AddHostedService<PoolGauges>();

        var section = builder.Configuration.GetSection($"{ImageOrleansOptions.SectionName}:{TelemetryOptions.SectionName}");
        if (!section.GetValue(nameof(TelemetryOptions.Enabled), true))
        {
            return builder;
        }

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var traces = section.GetValue<bool?>(nameof(TelemetryOptions.Traces)) ?? otlp;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("imageorleans"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ImageOrleansMetrics.MeterName, "Microsoft.Orleans")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddPrometheusExporter();
            });
        if (traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(GatewayTelemetry.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        }

        if (otlp)
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary><c>/metrics</c> (Prometheus text, admin key), <c>/admin/summary</c> and the operator page <c>/ui</c>.</summary>
    public static WebApplication MapImageOrleansOperations(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value is { Enabled: true, Prometheus: true })
        {
            var admin = app.Services.GetRequiredService<AdminAuthenticationFilter>();
            app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
            {
                if (admin.Check(context.Request, allowBasic: false) is { } error)
                {
                    await OpenAIErrors.WriteAsync(context, error);
                    return;
                }

                await next(context);
            }), optionsName: null);
        }

        app.MapOperationsApi();
        app.MapOperatorPage();
        return app;
    }
}
