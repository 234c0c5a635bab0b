using Kong.Pdk.Testing;
using Xunit;

namespace PluginLibraries.Tests;

/// <summary>The two plugin libraries, each through the fake Kong by its generated descriptor (docs/testing.md). The
/// executable that serves both, PluginHost, is tested over real sockets in Kong.Pdk.IntegrationTests.</summary>
public sealed class PluginLibrariesTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    [Fact(Timeout = 20_000)]
    public async Task HeaderStamp_StampsTheUpstreamRequestAndTheResponse()
    {
        await using PluginTestHost host = PluginTestHost.Create(HeaderStamp.HeaderStamp.Descriptor, """{"header":"x-via","value":"edge-1"}""");

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("http://api.example.com/orders"), Timeout);

        Assert.Equal(200, result.Response.Status);
        Assert.Equal("edge-1", result.Response.Headers["x-via"]);
        Assert.Equal("edge-1", result.UpstreamRequest!.Headers["x-via"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task RequestGuard_WithoutTheHeader_AnswersTheClient_AndNeverProxies()
    {
        await using PluginTestHost host = PluginTestHost.Create(RequestGuard.RequestGuard.Descriptor, """{"reject_status":403}""");

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("http://api.example.com/orders"), Timeout);

        Assert.Equal(403, result.Response.Status);
        Assert.Equal("missing credentials", result.Response.BodyText);
        Assert.Null(result.UpstreamRequest);
    }

    [Fact(Timeout = 20_000)]
    public async Task RequestGuard_WithTheHeader_LetsTheRequestThrough()
    {
        await using PluginTestHost host = PluginTestHost.Create(RequestGuard.RequestGuard.Descriptor);

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("http://api.example.com/orders").WithHeader("x-api-key", "k1"), Timeout);

        Assert.Equal(200, result.Response.Status);
        Assert.NotNull(result.UpstreamRequest);
    }
}
