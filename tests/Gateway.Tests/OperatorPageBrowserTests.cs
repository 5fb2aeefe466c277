using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>
/// The operator page in a real headless Chromium (Debian's <c>chromium</c>, driven by npm
/// <c>playwright-core</c>; both installed by test.sh) against a gateway under load.
/// </summary>
public sealed class OperatorPageBrowserTests(OperatorPageFixture gateway) : IClassFixture<OperatorPageFixture>
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task An_operator_signs_in_sees_every_account_and_drains_one()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run the tests through ./test.sh, which installs Debian's chromium.");

        using var load = new CancellationTokenSource();
        var traffic = Task.WhenAll(Enumerable.Range(0, 3).Select(i => LoadAsync(i, load.Token)));
        try
        {
            using var admin = gateway.Admin();
            var accounts = (await admin.GetFromJsonAsync<JsonElement>("/admin/accounts")).GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(6, accounts.Count);

            var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "operator-page.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            var shown = await NodeScript.RunAsync("Browser", "playwright-core", "operator-page.mjs", new Dictionary<string, string>
            {
                ["GATEWAY_URL"] = gateway.BaseAddress.ToString(),
                ["ADMIN_KEY"] = AdminGatewayFixture.AdminKey,
                ["DRAIN_ACCOUNT"] = "sim-2",
                ["SCREENSHOT"] = screenshot,
                ["CHROMIUM"] = Chromium,
            });

            // Every account, with the values /admin/accounts gives for it.
            var rows = shown.GetProperty("before").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
            Assert.Equal(accounts.Select(a => a.GetProperty("id").GetString()).Order(), rows.Keys.Order());
            var headers = shown.GetProperty("headers").EnumerateArray().Select(h => h.GetString()!).ToList();
            foreach (var account in accounts)
            {
                var id = account.GetProperty("id").GetString()!;
                var status = account.GetProperty("status");
                var cells = rows[id].GetProperty("cells").EnumerateArray().Select(c => c.GetString()!).ToList();
                Assert.Equal("healthy", cells[headers.IndexOf("Health")]);
                Assert.Contains("health-ok", rows[id].GetProperty("healthClass").GetString(), StringComparison.Ordinal);
                Assert.Equal(status.GetProperty("breaker").GetString()!.ToLowerInvariant(), cells[headers.IndexOf("Breaker")]);
                Assert.EndsWith(" / " + Int(status.GetProperty("request_capacity").GetDouble()), cells[headers.IndexOf("Requests left")], StringComparison.Ordinal);
                Assert.EndsWith(" / " + Int(status.GetProperty("image_capacity").GetDouble()), cells[headers.IndexOf("Images left")], StringComparison.Ordinal);
                Assert.EndsWith(" / " + account.GetProperty("max_concurrency").GetInt32(), cells[headers.IndexOf("In flight")], StringComparison.Ordinal);
                Assert.EndsWith(" ms", cells[headers.IndexOf("Latency")], StringComparison.Ordinal);
                Assert.StartsWith("$", cells[headers.IndexOf("Spend today")], StringComparison.Ordinal);

                // Numbers line up on the right.
                Assert.Equal("right", rows[id].GetProperty("align")[headers.IndexOf("Requests left")].GetString());
                Assert.Equal("right", rows[id].GetProperty("align")[headers.IndexOf("Spend today")].GetString());
            }

            // The drain asked first, went through the admin API, and the page shows it.
            Assert.Contains(shown.GetProperty("dialogs").EnumerateArray(), d => d.GetString()!.StartsWith("Drain account sim-2?", StringComparison.Ordinal));
            var drained = shown.GetProperty("after").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "sim-2");
            Assert.Equal("draining", drained.GetProperty("cells")[headers.IndexOf("Health")].GetString());
            var status2 = (await admin.GetFromJsonAsync<JsonElement>("/admin/accounts/sim-2")).GetProperty("status");
            Assert.True(status2.GetProperty("draining").GetBoolean());

            // The key stays out of every URL, and the page fits a 1280 px screen.
            Assert.False(shown.GetProperty("keyInUrl").GetBoolean());
            Assert.DoesNotContain(AdminGatewayFixture.AdminKey, shown.GetProperty("url").GetString(), StringComparison.Ordinal);
            Assert.Contains("imageorleans.adminKey", shown.GetProperty("stored").EnumerateArray().Select(s => s.GetString()));
            Assert.InRange(shown.GetProperty("width").GetInt32(), 1, 1280);
            Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot was saved");
        }
        finally
        {
            await load.CancelAsync();
            await traffic;
        }
    }

    private static string Int(double value) => ((long)value).ToString("N0", CultureInfo.InvariantCulture);

    private async Task LoadAsync(int worker, CancellationToken cancellationToken)
    {
        using var client = gateway.Http(GatewayFactory.KeyA);
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations")
                {
                    Content = JsonContent.Create(new { model = "gpt-image-2.6-flare", prompt = $"load {worker} {i}", quality = "low" }),
                };
                request.Headers.Add("x-imageorleans-timeout-ms", "5000");
                using var response = await client.SendAsync(request, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
