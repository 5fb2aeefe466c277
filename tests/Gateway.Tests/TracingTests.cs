using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using ImageOrleans.Grains.Telemetry;

namespace ImageOrleans.Gateway.Tests;

/// <summary>One trace per request, from the front door through the grains to each upstream attempt.</summary>
public sealed class TracingTests(TracingGatewayFixture gateway) : IClassFixture<TracingGatewayFixture>
{
    private const string Prompt = "a secret harbour at dawn, never to be traced";

    [Fact]
    public async Task A_cache_miss_is_one_trace_from_the_front_door_to_settlement()
    {
        var failovers = 0;
        for (var i = 0; i < 12; i++)
        {
            var (trace, server) = await GenerateAsync($"{Prompt} {i}");
            Assert.Equal(ActivityKind.Server, server.Kind);
            Assert.Equal("generate_image", server.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("gpt-image-2.6-flare", server.GetTagItem("gen_ai.request.model"));
            Assert.Equal("miss", server.GetTagItem("imageorleans.cache"));
            Assert.Equal("tenant-a", server.GetTagItem("imageorleans.key.id"));

            // Admission and the cache are children of the request; the dispatch below the cache grain
            // (through Orleans' own grain-call spans) leases, calls upstream, stores and settles.
            var admission = Named(trace, GatewayTelemetry.Admission).Single();
            var cache = Named(trace, GatewayTelemetry.Cache).Single();
            Assert.Equal(server.SpanId, admission.ParentSpanId);
            Assert.Equal(server.SpanId, cache.ParentSpanId);
            var leases = Named(trace, GatewayTelemetry.Lease);
            var upstreams = trace.Where(s => s.Source.Name == GatewayTelemetry.SourceName && s.OperationName.StartsWith("upstream ", StringComparison.Ordinal)).OrderBy(s => s.StartTimeUtc).ToList();
            var settlement = Named(trace, GatewayTelemetry.Settlement).Single();
            var store = Named(trace, GatewayTelemetry.Store).Single();
            Assert.True(trace.Any(s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.ParentSpanId == cache.SpanId),
                "the cache grain call is traced by Orleans under the cache span");
            foreach (var span in leases.Concat(upstreams).Append(settlement).Append(store))
            {
                Assert.Contains(cache, Ancestors(trace, span));
            }

            Assert.Equal(upstreams.Count, leases.Count);
            Assert.True(leases[0].StartTimeUtc <= upstreams[0].StartTimeUtc && upstreams[^1].StartTimeUtc <= settlement.StartTimeUtc);
            Assert.Equal("healthy", leases[^1].GetTagItem("imageorleans.account.id"));
            Assert.NotNull(leases[^1].GetTagItem("imageorleans.queue.wait_ms"));
            var served = upstreams[^1];
            Assert.Equal("generate_image", served.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("gpt-image-2.6-flare", served.GetTagItem("gen_ai.request.model"));
            Assert.Equal("healthy", served.GetTagItem("imageorleans.account.id"));
            Assert.Equal("Success", served.GetTagItem("imageorleans.upstream.outcome"));
            Assert.True((long)served.GetTagItem("gen_ai.usage.input_tokens")! > 0);
            Assert.True((long)served.GetTagItem("gen_ai.usage.output_tokens")! > 0);
            Assert.True((double)settlement.GetTagItem("imageorleans.cost_usd")! > 0);

            // No span anywhere carries the prompt.
            Assert.DoesNotContain(trace.SelectMany(s => s.TagObjects), t => t.Value?.ToString()?.Contains("harbour", StringComparison.Ordinal) == true);
            Assert.DoesNotContain(trace, s => s.DisplayName.Contains("harbour", StringComparison.Ordinal));

            if (upstreams.Count == 2)
            {
                // The failover: the failing account's attempt, then the healthy one's, in the same trace.
                Assert.Equal("failing", upstreams[0].GetTagItem("imageorleans.account.id"));
                Assert.Equal("ServerError", upstreams[0].GetTagItem("imageorleans.upstream.outcome"));
                Assert.Equal(ActivityStatusCode.Error, upstreams[0].Status);
                failovers++;
                break;
            }

            Assert.Single(upstreams);
        }

        Assert.Equal(1, failovers);
    }

    private async Task<(IReadOnlyList<Activity> Trace, Activity Server)> GenerateAsync(string prompt)
    {
        using var client = gateway.Http(GatewayFactory.KeyA);
        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "gpt-image-2.6-flare", prompt, quality = "low" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = response.Headers.GetValues("x-request-id").Single();

        // The server span ends after the response is written; settlement may end just before or after, and
        // the images of a b64_json answer are stored behind it.
        var server = await Poll.UntilAsync(
            () => Task.FromResult(gateway.Spans.FirstOrDefault(s => s.Source.Name == "Microsoft.AspNetCore" && (string?)s.GetTagItem("imageorleans.request.id") == requestId)),
            s => s is not null, $"the server span of {requestId}");
        var trace = await Poll.UntilAsync(() => Task.FromResult(gateway.Trace(server!.TraceId)),
            t => t.Any(s => s.OperationName == GatewayTelemetry.Settlement) && t.Any(s => s.OperationName == GatewayTelemetry.Store),
            $"the settlement and store spans of {requestId}");
        return (trace, server!);
    }

    private static List<Activity> Named(IReadOnlyList<Activity> trace, string name) =>
        trace.Where(s => s.OperationName == name).OrderBy(s => s.StartTimeUtc).ToList();

    private static IEnumerable<Activity> Ancestors(IReadOnlyList<Activity> trace, Activity span)
    {
        var byId = trace.ToDictionary(s => s.SpanId);
        for (var parent = span.ParentSpanId; byId.TryGetValue(parent, out var next); parent = next.ParentSpanId)
        {
            yield return next;
        }
    }
}
