using Kong.Pdk;
using Kong.Pdk.Testing;
using Xunit;
using Keys = RateLimitHeaders.RateLimitHeaders.SharedKeys;

namespace RateLimitHeaders.Tests;

/// <summary>The sample's behaviour through the fake Kong (docs/testing.md): headers, exits, ctx.shared and logs.</summary>
public sealed class RateLimitHeadersTests
{
    private const string ClientIp = "192.0.2.10"; // KongTestRequest's default client

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    private static PluginTestHost Host(string configJson) => PluginTestHost.Create(RateLimitHeaders.Descriptor, configJson);

    [Fact(Timeout = 20_000)]
    public async Task UnderTheLimit_SetsLimitAndRemainingHeaders_AndSharesTheDecisionWithTheLogPhase()
    {
        await using PluginTestHost host = Host("""{"windows":[{"name":"minute","seconds":60,"limit":3},{"name":"hour","seconds":3600,"limit":100}]}""");

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("http://api.example.com/orders"), Timeout);

        Assert.Equal([KongPhase.Access, KongPhase.Log], result.Phases);
        Assert.Equal(200, result.Response.Status);
        Assert.NotNull(result.UpstreamRequest);
        Assert.Equal("3", result.Response.Headers["x-ratelimit-limit-minute"]);
        Assert.Equal("2", result.Response.Headers["x-ratelimit-remaining-minute"]);
        Assert.Equal("100", result.Response.Headers["x-ratelimit-limit-hour"]);
        Assert.Equal("99", result.Response.Headers["x-ratelimit-remaining-hour"]);
        Assert.False(result.Response.Headers.Contains("retry-after"));

        Assert.Equal(ClientIp, result.Shared[Keys.Identity]);
        Assert.Equal(2L, Convert.ToInt64(result.Shared[Keys.Remaining]));
        Assert.False(result.Shared.ContainsKey(Keys.Exceeded));
        Assert.Equal([$"rate-limit identity={ClientIp} remaining=2 status=200"], result.LogsAt("info"));
        Assert.Empty(result.LogsAt("warn"));
    }

    [Fact(Timeout = 30_000)]
    public async Task OverTheLimit_ExitsWithTheRejectStatusAndRetryAfter_AndTheLogPhaseWarns()
    {
        await using PluginTestHost host = Host("""{"windows":[{"name":"minute","seconds":60,"limit":2}],"reject_status":503,"reject_message":"slow down"}""");

        KongTestResult first = await host.RunAsync(KongTestRequest.Get("/"), Timeout);
        KongTestResult second = await host.RunAsync(KongTestRequest.Get("/"), Timeout);
        KongTestResult third = await host.RunAsync(KongTestRequest.Get("/"), Timeout);

        Assert.Equal("1", first.Response.Headers["x-ratelimit-remaining-minute"]);
        Assert.Equal("0", second.Response.Headers["x-ratelimit-remaining-minute"]);
        Assert.Equal(200, second.Response.Status);

        Assert.Equal(503, third.Response.Status);
        Assert.Equal("slow down", third.Response.BodyText);
        Assert.Equal(KongPhase.Access, third.ExitedIn);
        Assert.Null(third.UpstreamRequest); // never proxied
        Assert.Equal("0", third.Response.Headers["x-ratelimit-remaining-minute"]);
        int retryAfter = int.Parse(third.Response.Headers["retry-after"]!);
        Assert.InRange(retryAfter, 1, 60);

        Assert.Equal("minute", third.Shared[Keys.Exceeded]);
        Assert.Equal([KongPhase.Access, KongPhase.Log], third.Phases); // log runs after an exit, as in Kong
        Assert.Equal([$"rate-limit identity={ClientIp} remaining=0 status=503 exceeded=minute"], third.LogsAt("warn"));
        Assert.Empty(third.LogsAt("info"));
    }

    [Fact(Timeout = 30_000)]
    public async Task IdentifyByHeader_CountsEachCallerSeparately_AndFallsBackToTheClientIp()
    {
        await using PluginTestHost host = Host("""{"identify_by":"header","identity_header":"x-team","windows":[{"name":"minute","seconds":60,"limit":1}]}""");

        KongTestResult red1 = await host.RunAsync(KongTestRequest.Get("/").WithHeader("x-team", "red"), Timeout);
        KongTestResult blue1 = await host.RunAsync(KongTestRequest.Get("/").WithHeader("x-team", "blue"), Timeout);
        KongTestResult red2 = await host.RunAsync(KongTestRequest.Get("/").WithHeader("x-team", "red"), Timeout);
        KongTestResult anonymous = await host.RunAsync(KongTestRequest.Get("/"), Timeout);

        Assert.Equal(200, red1.Response.Status);
        Assert.Equal(200, blue1.Response.Status);
        Assert.Equal(429, red2.Response.Status);
        Assert.Equal("API rate limit exceeded", red2.Response.BodyText);
        Assert.Equal(200, anonymous.Response.Status);
        Assert.Equal("blue", blue1.Shared[Keys.Identity]);
        Assert.Equal(ClientIp, anonymous.Shared[Keys.Identity]);
        Assert.Single(red2.CallsTo("kong.request.get_header"));
        Assert.Single(anonymous.CallsTo("kong.client.get_forwarded_ip"));
    }

    [Fact(Timeout = 20_000)]
    public async Task IdentifyByConsumer_AppliesTheConsumersMultiplier()
    {
        await using PluginTestHost host = Host("""{"identify_by":"consumer","windows":[{"name":"second","seconds":1,"limit":10}],"multipliers":{"alice":2.5}}""");

        KongTestResult alice = await host.RunAsync(
            KongTestRequest.Get("/").WithConsumer(KongEntities.Consumer(username: "alice")), Timeout);
        KongTestResult bob = await host.RunAsync(
            KongTestRequest.Get("/").WithConsumer(KongEntities.Consumer(id: "7d1c2f9e-0000-4000-8000-000000000001", username: "bob")), Timeout);

        Assert.Equal("alice", alice.Shared[Keys.Identity]);
        Assert.Equal("25", alice.Response.Headers["x-ratelimit-limit-second"]);
        Assert.Equal("24", alice.Response.Headers["x-ratelimit-remaining-second"]);
        Assert.Equal("bob", bob.Shared[Keys.Identity]);
        Assert.Equal("10", bob.Response.Headers["x-ratelimit-limit-second"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task ExemptCaller_GetsNoHeadersAndIsNeverCounted()
    {
        await using PluginTestHost host = Host($$"""{"windows":[{"name":"minute","seconds":60,"limit":1}],"exempt":["{{ClientIp}}"]}""");

        KongTestResult first = await host.RunAsync(KongTestRequest.Get("/"), Timeout);
        KongTestResult second = await host.RunAsync(KongTestRequest.Get("/"), Timeout);

        Assert.Equal(200, second.Response.Status);
        Assert.False(second.Response.Headers.Contains("x-ratelimit-limit-minute"));
        Assert.Equal(true, second.Shared[Keys.Exempt]);
        Assert.False(second.Shared.ContainsKey(Keys.Remaining));
        Assert.Equal([$"rate-limit identity={ClientIp} exempt status=200"], first.LogsAt("info"));
        Assert.Empty(second.CallsTo("kong.response.set_headers"));
    }

    [Fact(Timeout = 30_000)]
    public async Task HeadersOnly_LetsAnOverLimitRequestThrough_AndTellsTheUpstream()
    {
        await using PluginTestHost host = Host("""
            {"on_limit":"headers_only","upstream_header":"x-remaining","log_decisions":false,
             "windows":[{"name":"minute","seconds":60,"limit":1}],
             "headers":{"limit_prefix":"ratelimit-limit-","remaining_prefix":"ratelimit-remaining-","retry_after":"retry-after","send":true}}
            """);

        await host.RunAsync(KongTestRequest.Get("/"), Timeout);
        KongTestResult over = await host.RunAsync(KongTestRequest.Get("/"), Timeout);

        Assert.Equal(200, over.Response.Status);
        Assert.Null(over.ExitedIn);
        Assert.Equal("1", over.Response.Headers["ratelimit-limit-minute"]);
        Assert.Equal("0", over.Response.Headers["ratelimit-remaining-minute"]);
        Assert.Equal("0", over.UpstreamRequest!.Headers["x-remaining"]);
        Assert.Equal("minute", over.Shared[Keys.Exceeded]);
        Assert.Empty(over.Logs); // log_decisions: false
    }

    [Fact(Timeout = 20_000)]
    public async Task WithoutWindows_UsesSixtyPerMinute_AndHeadersCanBeTurnedOff()
    {
        await using PluginTestHost host = Host("""{"headers":{"send":false}}""");

        KongTestResult result = await host.RunAsync(KongTestRequest.Get("/"), Timeout);

        Assert.Equal(200, result.Response.Status);
        Assert.DoesNotContain(result.Response.Headers.Names, name => name.StartsWith("x-ratelimit", StringComparison.Ordinal));
        Assert.Equal(59L, Convert.ToInt64(result.Shared[Keys.Remaining]));
    }

    [Fact(Timeout = 20_000)]
    public async Task AConfigOfTheWrongShape_FailsToStart_NamingTheField()
    {
        await using PluginTestHost host = Host("""{"windows":[{"name":"minute","seconds":"60"}]}""");

        KongTestException ex = await Assert.ThrowsAsync<KongTestException>(() => host.RunAsync(KongTestRequest.Get("/"), Timeout));

        Assert.Contains("windows[0].seconds", ex.Message);
    }
}
