using Orleans.Runtime;

namespace ImageOrleans.Silo.Hosting;

/// <summary>
/// Says, as the silo starts and before it tries to join, how the silo and gateway ports are protected:
/// which certificate and trust, a warning when the certificate expires within 30 days, and a warning
/// when TLS was switched off.
/// </summary>
public sealed partial class SiloTlsReport(IServiceProvider services, ILogger<SiloTlsReport> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloTlsReport), ServiceLifecycleStage.RuntimeInitialize, _ => Report());

    private Task Report()
    {
        if (services.GetService<SiloTls>() is not { } tls)
        {
            LogPlain(logger);
            return Task.CompletedTask;
        }

        var certificate = tls.Certificate;
        var expires = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        LogTls(logger, certificate.Subject, certificate.Thumbprint, expires, tls.Trust);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        if (expires - time.GetUtcNow() < ExpiryWarning)
        {
            LogExpiring(logger, certificate.Subject, certificate.Thumbprint, expires);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 3251, Level = LogLevel.Information,
        Message = "Silo and gateway ports use mutual TLS: certificate {Subject} ({Thumbprint}) valid until {NotAfter:u}; peers trusted: {Trust}")]
    private static partial void LogTls(ILogger logger, string subject, string thumbprint, DateTimeOffset notAfter, string trust);

    [LoggerMessage(EventId = 3252, Level = LogLevel.Warning,
        Message = "The silo certificate {Subject} ({Thumbprint}) expires at {NotAfter:u}: rotate it (README, Silo TLS certificates)")]
    private static partial void LogExpiring(ILogger logger, string subject, string thumbprint, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 3253, Level = LogLevel.Warning,
        Message = "Silo and gateway ports carry cluster traffic in clear (ImageOrleans:Cluster:Tls:Enabled=false): anyone who reaches them can join the cluster or call grains")]
    private static partial void LogPlain(ILogger logger);
}
