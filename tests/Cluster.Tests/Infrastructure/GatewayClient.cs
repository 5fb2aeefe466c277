using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using ImageOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace ImageOrleans.Cluster.Tests.Infrastructure;

/// <summary>
/// A plain Orleans client (Microsoft.Orleans.Client) pointed at one silo's gateway port, as an outsider
/// would use it. Without a certificate it speaks plain TCP; with one, TLS presenting it and accepting
/// only a silo that presents the trusted certificate.
/// </summary>
public sealed class GatewayClient : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ErrorLog _errors;

    private GatewayClient(IHost host, ErrorLog errors)
    {
        _host = host;
        _errors = errors;
        Started = host.StartAsync();
    }

    /// <summary>The client's start: it completes once a gateway answered with the cluster's manifest.</summary>
    public Task Started { get; }

    public IClusterClient Grains => _host.Services.GetRequiredService<IClusterClient>();

    public static GatewayClient Start(string clusterId, int gatewayPort, X509Certificate2? certificate, X509Certificate2 trustedSilo)
    {
        var errors = new ErrorLog();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(errors).SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            if (certificate is not null)
            {
                client.UseTls(certificate, o =>
                {
                    o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateValidation = (silo, _, _) => silo.RawData.AsSpan().SequenceEqual(trustedSilo.RawData);
                });
            }
        });
        return new GatewayClient(builder.Build(), errors);
    }

    /// <summary>
    /// Waits until the gateway refused the client's connection; fails if the client starts instead. An
    /// Orleans client keeps retrying a gateway that refuses it, so its start alone never ends.
    /// </summary>
    public async Task RefusedAsync(TimeSpan within)
    {
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(Started.IsCompletedSuccessfully || _errors.Refused), within,
                "the gateway refuses the client's connection");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} The client logged:\n{string.Join('\n', Errors)}", ex);
        }

        Assert.False(Started.IsCompletedSuccessfully, "the client connected to the gateway and started");
    }

    /// <summary>Waits until the client has started, or fails saying what it logged.</summary>
    public async Task ConnectedAsync(TimeSpan within)
    {
        try
        {
            await Started.WaitAsync(within);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The client did not start within {within.TotalSeconds:0} s. It logged:\n{string.Join('\n', Errors)}", ex);
        }
    }

    /// <summary>What the client logged at warning level and above.</summary>
    public IReadOnlyCollection<string> Errors => _errors.Messages;

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(stopping.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }

    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        // The client's connection manager logs this when the gateway closed the connection during its handshake.
        public bool Refused => _messages.Any(m => m.StartsWith("Connection attempt to endpoint", StringComparison.Ordinal));

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                _messages.Enqueue(formatter(state, exception) + (exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})"));
            }
        }

        public void Dispose()
        {
        }
    }
}
