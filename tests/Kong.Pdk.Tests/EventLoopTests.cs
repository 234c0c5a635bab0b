using Kong.Pdk.Server;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>Issue 13 item 1: what is particular to <see cref="Hosting.KongConnectionMode.EventLoop"/> (the behaviour
/// shared with the other modes is in the test classes suffixed <c>_EventLoop</c>).</summary>
public sealed class EventLoopTests
{
    private static InProcessServer Start(Hosting.KongPluginDescriptor plugin, Action<Hosting.KongServerOptions>? configure = null)
        => InProcessServer.Start(plugin, options =>
        {
            options.ConnectionMode = Hosting.KongConnectionMode.EventLoop;
            configure?.Invoke(options);
        });

    private static TestPlugin Echo() => new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
    {
        string? host = await kong.Request.GetHeaderAsync("host", ct);
        await kong.Response.SetHeaderAsync("x-echo", host ?? "", ct);
    });

    [Fact]
    public async Task ManyConnections_AreSpreadOverTheLoops_OnePerProcessorByDefault()
    {
        if (!OperatingSystem.IsLinux()) return;
        await using InProcessServer server = Start(Echo());
        var open = new List<KongConnection>();
        try
        {
            for (int i = 0; i < 40; i++) open.Add(await server.ConnectAsync());
            await server.StartInstanceAsync(open[0], "my-plugin");
            await Task.WhenAll(open.Select(async (kong, n) =>
            {
                RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
                RpcAnswer set = await server.StepAsync(kong, call.EventId, $"h{n}");
                Assert.Equal(new object?[] { "x-echo", $"h{n}" }, set.CallArgs);
                Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, null, hasData: false)).Data);
            })).WaitAsync(TimeSpan.FromSeconds(30));

            EventLoopGroup loops = Assert.IsType<EventLoopGroup>(server.Server.EventLoops);
            Assert.Equal(Environment.ProcessorCount, loops.Loops.Count);
            Assert.Equal(40, loops.Loops.Sum(loop => loop.ConnectionCount));
            Assert.All(loops.Loops, loop => Assert.InRange(loop.ConnectionCount, 40 / loops.Loops.Count - 1, 40 / loops.Loops.Count + 1));
        }
        finally
        {
            foreach (KongConnection kong in open) await kong.DisposeAsync();
        }

        await ProtocolConformanceTests.Eventually(() => server.Server.EventLoops!.Loops.All(loop => loop.ConnectionCount == 0), "the loops let their connections go");
    }

    [Fact]
    public async Task HandlerThatBlocksTheLoopThread_TheLoopsOtherConnections_AreServedByANewThreadAfterTheDeadline()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var release = new ManualResetEventSlim();
        var plugin = new TestPlugin("my-plugin")
            .On(KongPhase.Rewrite, (_, _) =>
            {
                release.Wait(TimeSpan.FromSeconds(30)); // blocks the loop thread that received plugin.HandleEvent
                return ValueTask.CompletedTask;
            })
            .On(KongPhase.Access, async (kong, ct) => await kong.Request.GetHeaderAsync("h", ct));
        await using InProcessServer server = Start(plugin, o =>
        {
            o.EventLoops = 1; // every connection on the blocked loop
            o.HandlerDeadline = TimeSpan.FromMilliseconds(300);
        });
        await using KongConnection blockedOn = await server.ConnectAsync();
        await using KongConnection other = await server.ConnectAsync();
        await server.StartInstanceAsync(other, "my-plugin");
        try
        {
            Task<RpcAnswer> blocked = server.HandleEventAsync(blockedOn, 7, "rewrite");
            await ProtocolConformanceTests.Eventually(() => server.Server.Events.Count == 1, "the blocking handler runs");

            // The other connection's request waits behind the blocked loop, then a new thread serves it.
            RpcAnswer call = await server.HandleEventAsync(other, 7, "access").WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("kong.request.get_header", call.CallMethod);
            Assert.Equal("ret", (await server.StepAsync(other, call.EventId, "v")).Data);
            RpcAnswer error = await blocked.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("kong.response.error", error.CallMethod);
            Assert.Equal(1, server.Server.BlockedHandlerThreads);
            Assert.Contains("event loop 0: a handler blocks its thread past its deadline", server.Log, StringComparison.Ordinal);
            Assert.Contains("1 thread(s) blocked by handlers past their deadline", server.Log, StringComparison.Ordinal);

            // A connection accepted after the takeover is served by the new thread too.
            await using KongConnection later = await server.ConnectAsync();
            call = await server.HandleEventAsync(later, 7, "access");
            Assert.Equal("ret", (await server.StepAsync(later, call.EventId, "v")).Data);
        }
        finally
        {
            release.Set();
        }

        await ProtocolConformanceTests.Eventually(() => server.Server.BlockedHandlerThreads == 0, "the blocked thread is counted out");
        Assert.Contains("returned; 0 thread(s) still blocked by handlers past their deadline", server.Log, StringComparison.Ordinal);
        RpcAnswer after = await server.HandleEventAsync(blockedOn, 7, "access");
        Assert.Equal("ret", (await server.StepAsync(blockedOn, after.EventId, "v")).Data);
    }

    [Fact]
    public async Task HandlerThatContinuesOnAnotherThread_ItsCallsAreSentByTheLoop()
    {
        if (!OperatingSystem.IsLinux()) return;
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            await Task.Delay(5, ct); // continues on a thread-pool thread
            string? host = await kong.Request.GetHeaderAsync("host", ct);
            await Task.Yield();
            await kong.Response.SetHeaderAsync("x-echo", host ?? "", ct);
            await Task.Delay(5, ct);
        });
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        for (int i = 0; i < 20; i++)
        {
            RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.request.get_header", call.CallMethod);
            Assert.Equal(new object?[] { "x-echo", "h" + i }, (await server.StepAsync(kong, call.EventId, "h" + i)).CallArgs);
            Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, null, hasData: false)).Data);
        }
    }

    [Fact]
    public async Task LargeAnswer_ToAClientThatReadsLate_IsSentWhenTheSocketHasRoom_WhileOtherConnectionsAreServed()
    {
        if (!OperatingSystem.IsLinux()) return;
        string big = new('x', 4 * 1024 * 1024); // more than a Unix socket buffers: the loop must wait for room
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            string? mode = await kong.Request.GetHeaderAsync("h", ct);
            await kong.Response.SetHeaderAsync("x-big", mode == "big" ? big : "small", ct);
        });
        await using InProcessServer server = Start(plugin, o => o.EventLoops = 1);
        await using KongConnection slow = await server.ConnectAsync();
        await using KongConnection other = await server.ConnectAsync();
        await server.StartInstanceAsync(other, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(slow, 7, "access");
        Task<RpcAnswer> bigAnswer = server.StepAsync(slow, call.EventId, "big");

        // The loop is not blocked by the unsent rest: the other connection is served meanwhile.
        RpcAnswer otherCall = await server.HandleEventAsync(other, 7, "access");
        Assert.Equal(new object?[] { "x-big", "small" }, (await server.StepAsync(other, otherCall.EventId, "s")).CallArgs);
        RpcAnswer set = await bigAnswer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(big, set.CallArgs[1]);
        Assert.Equal("ret", (await server.StepAsync(slow, call.EventId, null, hasData: false)).Data);
    }
}
