using Xunit;

namespace Kong.Pdk.Testing.Tests;

/// <summary>The example of docs/testing.md, with a hand-written descriptor instead of the generated one.</summary>
public sealed class DocsExampleTests
{
    private static TestPlugin KeyTagger() => TestPlugin.For([KongPhase.Access, KongPhase.Log], async (phase, kong, ct) =>
    {
        if (phase == KongPhase.Access)
        {
            string? key = await kong.Request.GetHeaderAsync("x-api-key", ct);
            if (key is null) await kong.Response.ExitAsync(401, "missing key", cancellationToken: ct);
            await kong.CallAsync("kong.service.request.set_header", ["x-caller", key![..4]], ct);
            await kong.CallAsync("kong.ctx.shared.set", ["caller", key[..4]], ct);
        }
        else
        {
            KongValue caller = await kong.CallAsync("kong.ctx.shared.get", ["caller"], ct);
            await kong.Log.InfoAsync($"caller={caller.AsStringOrNull() ?? "-"} status={await kong.Response.GetStatusAsync(ct)}", ct);
        }
    });

    [Fact(Timeout = 20_000)]
    public async Task Tags_the_upstream_request_and_logs_the_caller()
    {
        await using PluginTestHost host = PluginTestHost.Create(KeyTagger(), """{"header":"x-api-key"}""");
        KongTestResult result = await host.RunAsync(
            KongTestRequest.Get("https://api.example.com/orders?page=2").WithHeader("x-api-key", "abcd-1234"), Bounded.Token);
        Assert.Equal([KongPhase.Access, KongPhase.Log], result.Phases);
        Assert.Equal("abcd", result.UpstreamRequest!.Headers["x-caller"]);
        Assert.Equal(200, result.Response.Status);
        Assert.Equal("abcd", result.Shared["caller"]);
        Assert.Equal(["caller=abcd status=200"], result.LogsAt("info"));
    }

    [Fact(Timeout = 20_000)]
    public async Task Refuses_a_request_without_a_key_and_still_logs()
    {
        await using PluginTestHost host = PluginTestHost.Create(KeyTagger());
        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/orders"), Bounded.Token);
        Assert.Equal(401, result.Response.Status);
        Assert.Equal("missing key", result.Response.BodyText);
        Assert.Equal(KongPhase.Access, result.ExitedIn);
        Assert.Null(result.UpstreamRequest);
        Assert.Equal(["caller=- status=401"], result.LogsAt("info"));
    }

    [Fact(Timeout = 20_000)]
    public async Task Certificate_phase_serves_tls_functions_and_rejects_exit()
    {
        KongValue? requested = null;
        KongValue? version = null;
        TestPlugin plugin = TestPlugin.For([KongPhase.Certificate], async (_, kong, ct) =>
        {
            requested = await kong.CallAsync("kong.client.tls.request_client_certificate", [], ct);
            version = await kong.CallAsync("kong.nginx.get_tls1_version_str", [], ct);
            await kong.CallAsync("kong.response.set_status", [403], ct);
        });
        await using PluginTestHost host = PluginTestHost.Create(plugin);

        KongTestException ex = await Assert.ThrowsAsync<KongTestException>(() => host.RunAsync(KongTestRequest.Get("https://secure.example/"), Bounded.Token));

        Assert.True(requested!.AsBoolean());
        Assert.Equal("TLSv1.3", version!.AsString());
        Assert.Equal(KongPhase.Certificate, ex.Phase);
        Assert.Equal("kong.response.set_status", ex.Method);
    }
}
