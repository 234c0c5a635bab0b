using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9: what peers make the server retain (configurations, step data, messages being received) has one
/// total budget; past it the request that needed more is refused, and every charge is released again.</summary>
public abstract class MemoryBudgetTests
{
    private const string Canary = "CANARY-s3cr3t-";

    /// <summary>Every test runs once per connection mode (see the derived classes at the end of the file).</summary>
    protected abstract Hosting.KongConnectionMode Mode { get; }

    private InProcessServer Start(Hosting.KongPluginDescriptor plugin, Action<Hosting.KongServerOptions>? configure = null)
        => InProcessServer.Start(plugin, options => { options.ConnectionMode = Mode; configure?.Invoke(options); });

    private static TestPlugin Echo() => new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
    {
        string? host = await kong.Request.GetHeaderAsync("host", ct);
        await kong.Response.SetHeaderAsync("x-echo", host?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", ct);
    });

    private static string Config(int seq, int size) => $$"""{"__seq__":{{seq}},"api_key":"{{string.Concat(Enumerable.Repeat(Canary, size / Canary.Length))}}"}""";

    [Fact]
    public async Task StartInstance_PastTheBudget_IsRefusedWithoutTheConfig_CloseAndReplaceReleaseTheCharge()
    {
        await using InProcessServer server = Start(Echo(), o => { o.MaxMessageSize = 64 * 1024; o.MemoryBudget = 64 * 1024; });
        await using KongConnection kong = await server.ConnectAsync();
        int size = Config(1, 20_000).Length;
        for (int seq = 1; seq <= 3; seq++) await server.StartInstanceAsync(kong, "my-plugin", Config(seq, 20_000));
        Assert.Equal(3L * size, server.Server.Memory.Used);

        RpcAnswer refused = await kong.CallAsync(server.NextMsgId(), "plugin.StartInstance", Mp.Map("Name", "my-plugin", "Config", Config(4, 20_000)));
        string error = Assert.IsType<string>(refused.Error);
        Assert.Contains("memory budget", error);
        Assert.DoesNotContain("CANARY", error);
        Assert.Equal(3, server.Server.Instances.Count);
        Assert.Equal(3L * size, server.Server.Memory.Used);

        await server.StartInstanceAsync(kong, "my-plugin", Config(2, 20_000)); // replaces instance 2: same charge
        Assert.Equal(3L * size, server.Server.Memory.Used);
        Assert.Null((await kong.CallAsync(server.NextMsgId(), "plugin.CloseInstance", 1L)).Error);
        Assert.Equal(2L * size, server.Server.Memory.Used);
        await server.StartInstanceAsync(kong, "my-plugin", Config(4, 20_000));
        Assert.Equal(3L * size, server.Server.Memory.Used);
        Assert.DoesNotContain("CANARY", server.Log);
    }

    [Fact]
    public async Task InstanceExpiry_ReleasesItsCharge()
    {
        await using InProcessServer server = Start(Echo(), o => o.InstanceIdleTtl = TimeSpan.FromMilliseconds(200));
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin", Config(5, 30_000));
        Assert.True(server.Server.Memory.Used >= 30_000);
        await ProtocolConformanceTests.Eventually(() => server.Server.Instances.Count == 0, "the idle instance is collected");
        Assert.Equal(0, server.Server.Memory.Used);
    }

    [Fact]
    public async Task StepData_PastTheBudget_FailsThePdkCall_FailClosed_AndEventsReleaseTheirChargeWhenTheyEnd()
    {
        await using InProcessServer server = Start(Echo(), o => { o.MaxMessageSize = 128 * 1024; o.MemoryBudget = 128 * 1024; });
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        long baseline = server.Server.Memory.Used;
        string large = new('h', 40_000);

        RpcAnswer first = await server.HandleEventAsync(kong, 7, "access");
        RpcAnswer set = await server.StepAsync(kong, first.EventId, large); // holds 64 KiB while it waits for its next step
        Assert.Equal(new object?[] { "x-echo", "40000" }, set.CallArgs);
        Assert.True(server.Server.Memory.Used >= baseline + 40_000);

        RpcAnswer second = await server.HandleEventAsync(kong, 7, "access");
        RpcAnswer failed = await server.StepAsync(kong, second.EventId, large);
        Assert.Equal("kong.log.err", failed.CallMethod);
        Assert.Contains("KongPdkException", (string)failed.CallArgs[0]!);
        RpcAnswer error = await server.StepAsync(kong, second.EventId, null, hasData: false);
        Assert.Equal("kong.response.error", error.CallMethod);
        Assert.Equal(500L, error.CallArgs[0]);
        Assert.Contains("does not fit the memory budget", server.Log);

        Assert.Equal("ret", (await server.StepAsync(kong, first.EventId, null, hasData: false)).Data);
        await ProtocolConformanceTests.Eventually(() => server.Server.Memory.Used == baseline, "both events released their step data");
    }

    [Fact]
    public async Task MessagesBeingReceived_PastTheBudget_CloseTheirConnection_AndAreReleasedWhenTheyEnd()
    {
        await using InProcessServer server = Start(Echo(), o => { o.MaxMessageSize = 256 * 1024; o.MemoryBudget = 256 * 1024; });
        byte[] message = Mp.Encode(new object?[] { 0L, 9L, "plugin.StartInstance", new object?[] { Mp.Map("Name", "my-plugin", "Config", new string('x', 250_000)) } });
        await using (KongConnection first = await server.ConnectAsync())
        {
            await first.SendAsync(message[..200_000]);
            await ProtocolConformanceTests.Eventually(() => server.Server.Memory.Used >= 100_000, "the first partial message is charged");

            await using KongConnection second = await server.ConnectAsync();
            await second.SendAsync(message[..200_000]);
            Assert.True(await second.IsClosedByServerAsync(), "the second partial message does not fit");
            Assert.Contains("does not fit the memory budget", server.Log);
        }

        await ProtocolConformanceTests.Eventually(() => server.Server.Memory.Used == 0, "the first connection's charge is released when it ends");
        await using KongConnection kong = await server.ConnectAsync();
        Assert.Equal(7L, await server.StartInstanceAsync(kong, "my-plugin"));
    }
}

/// <summary>The budget's own accounting.</summary>
public sealed class MemoryBudgetAccountingTests
{
    [Fact]
    public void Reservations_StopAtTheLimit_CreditAllowsAReplacement_ReleaseGivesRoomBack()
    {
        var budget = new Server.MemoryBudget(1000);
        Assert.True(budget.TryReserve(600));
        Assert.False(budget.TryReserve(500));
        Assert.Equal(600, budget.Used);
        Assert.True(budget.TryReserve(500, credit: 200)); // the caller then releases the 200 it replaces
        budget.Release(200);
        Assert.Equal(900, budget.Used);
        budget.Release(900);
        Assert.Equal(0, budget.Used);
        Assert.True(budget.TryReserve(1000));
    }

    [Fact]
    public void TrimAfterBurst_OnceABurstWasReleased_ThenTwoFollowUps()
    {
        var budget = new Server.MemoryBudget(1 << 30);
        long now = 1_000;
        Assert.True(budget.TryReserve(100 << 20));
        Assert.False(budget.TrimAfterBurst(64 << 20, now)); // still held
        budget.Release(90 << 20);
        Assert.True(budget.TrimAfterBurst(64 << 20, now));  // 90 MiB given back since the peak: a compacting collection
        Assert.False(budget.TrimAfterBurst(64 << 20, now + 1_000)); // not again for this burst...
        Assert.True(budget.TrimAfterBurst(64 << 20, now + 10_000)); // ...but a follow-up 10 s later
        Assert.False(budget.TrimAfterBurst(64 << 20, now + 69_000));
        Assert.True(budget.TrimAfterBurst(64 << 20, now + 70_000)); // and one a minute after that
        Assert.False(budget.TrimAfterBurst(64 << 20, now + 500_000)); // then none until the next burst
    }

    /// <summary>Review D7: a peer that makes a burst every sweep gets at most one compacting collection per 10 s;
    /// a burst inside that interval is collected when it ends.</summary>
    [Fact]
    public void TrimAfterBurst_ABurstEverySweep_AtMostOneCollectionPer10Seconds()
    {
        var budget = new Server.MemoryBudget(1 << 30);
        var collections = new List<long>();
        for (long now = 1_000; now <= 40_000; now += 1_000)
        {
            Assert.True(budget.TryReserve(100 << 20));
            budget.Release(100 << 20);
            if (budget.TrimAfterBurst(64 << 20, now)) collections.Add(now);
        }

        Assert.Equal([1_000L, 11_000L, 21_000L, 31_000L], collections);
    }

    [Fact]
    public void TrimAfterBurst_OnceAGrowthSettles()
    {
        var budget = new Server.MemoryBudget(1 << 30);
        Assert.True(budget.TryReserve(70 << 20));
        Assert.False(budget.TrimAfterBurst(64 << 20, 0));     // growing
        Assert.True(budget.TrimAfterBurst(64 << 20, 1_000));  // steady for a sweep: the burst's garbage is collected
        Assert.True(budget.TryReserve(10 << 20));
        Assert.False(budget.TrimAfterBurst(64 << 20, 2_000)); // a small growth is no burst
        Assert.False(budget.TrimAfterBurst(64 << 20, 3_000));
    }
}

public sealed class MemoryBudgetTests_Thread : MemoryBudgetTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.Thread;
}

public sealed class MemoryBudgetTests_EventLoop : MemoryBudgetTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.EventLoop;
}
