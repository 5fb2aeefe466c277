using System.Net;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The dashboard's log stream when configured on: served, and still only with the admin key.</summary>
public sealed class DashboardTraceTests(DashboardTraceGatewayFixture gateway) : IClassFixture<DashboardTraceGatewayFixture>
{
    [Fact]
    public async Task A_log_stream_configured_on_streams_to_the_admin_key_only()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var anonymous = gateway.Http(key: null);
        using (var refused = await anonymous.GetAsync("/dashboard/Trace", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var admin = gateway.Http(AdminGatewayFixture.AdminKey);
        using var stream = await admin.GetAsync("/dashboard/Trace", HttpCompletionOption.ResponseHeadersRead, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
    }
}
