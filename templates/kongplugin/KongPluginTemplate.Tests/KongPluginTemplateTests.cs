using Kong.Pdk;
using Kong.Pdk.Testing;

namespace KongPluginTemplate.Tests;

/// <summary>The plugin's behaviour, through the fake Kong of Kong.Pdk.Testing: no Kong needed.</summary>
public sealed class KongPluginTemplateTests
{
    // Every run is bounded by the host (10 s by default); bound your own awaits too.
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    [Fact]
    public async Task Access_WritesTheGreetingAndTheHostIntoTheHeader()
    {
        await using PluginTestHost host = PluginTestHost.Create(KongPluginTemplate.Descriptor, """{"greeting":"hi"}""");

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("http://api.example.com/orders"), Timeout);

        Assert.Equal([KongPhase.Access], result.Phases);
        Assert.Equal("hi (api.example.com)", result.Response.Headers["x-greeting"]);
        Assert.Equal(200, result.Response.Status);
    }

    [Fact]
    public async Task Access_WithoutConfiguration_UsesTheDefaults()
    {
        await using PluginTestHost host = PluginTestHost.Create(KongPluginTemplate.Descriptor);

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/").WithHeader("host", "kong.test"), Timeout);

        Assert.Equal("hello from .NET (kong.test)", result.Response.Headers["x-greeting"]);
    }
}
