using Kong.Pdk;
using Kong.Pdk.Testing;
using Xunit;

namespace HelloPlugin.Tests;

/// <summary>The sample's behaviour, through the fake Kong (docs/testing.md).</summary>
public sealed class HelloPluginTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    [Fact(Timeout = 20_000)]
    public async Task Says_the_configured_message_to_the_host()
    {
        await using PluginTestHost host = PluginTestHost.Create(HelloPlugin.Descriptor, """{"message":"bonjour"}""");

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("http://api.example.com/anything"), Timeout);

        Assert.Equal("Dotnet says bonjour to api.example.com", result.Response.Headers["x-hello-from-dotnet"]);
        Assert.Equal(200, result.Response.Status);
        Assert.Equal([KongPhase.Access], result.Phases);
    }

    [Fact(Timeout = 20_000)]
    public async Task Uses_the_default_message_when_the_config_has_none()
    {
        await using PluginTestHost host = PluginTestHost.Create(HelloPlugin.Descriptor);

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/").WithHeader("host", "kong.test:8000"), Timeout);

        Assert.Equal("Dotnet says hello to kong.test:8000", result.Response.Headers["x-hello-from-dotnet"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Reads_one_header_and_sets_one_header_and_leaves_the_upstream_request_alone()
    {
        await using PluginTestHost host = PluginTestHost.Create(HelloPlugin.Descriptor, """{"message":"hi"}""");

        KongTestResult result = await host.RunAsync(KongTestRequest.Post("http://shop.example/orders?id=7", "{}", "application/json"), Timeout);

        Assert.Collection(result.Calls,
            call =>
            {
                Assert.Equal("kong.request.get_header", call.Method);
                Assert.Equal(["host"], call.Args);
            },
            call =>
            {
                Assert.Equal("kong.response.set_header", call.Method);
                Assert.Equal(["x-hello-from-dotnet", "Dotnet says hi to shop.example"], call.Args);
            });
        Assert.Equal("/orders", result.UpstreamRequest!.Path);
        Assert.Equal("id=7", result.UpstreamRequest.RawQuery);
        Assert.Equal("{}", result.UpstreamRequest.BodyText);
        Assert.False(result.UpstreamRequest.Headers.Contains("x-hello-from-dotnet"));
        Assert.Empty(result.Logs);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_config_that_does_not_bind_fails_to_start()
    {
        await using PluginTestHost host = PluginTestHost.Create(HelloPlugin.Descriptor, """{"message":42}""");

        KongTestException ex = await Assert.ThrowsAsync<KongTestException>(() => host.RunAsync(KongTestRequest.Get("/"), Timeout));

        Assert.Contains("plugin.StartInstance", ex.Message);
        Assert.Contains("message", ex.Message);
    }
}
