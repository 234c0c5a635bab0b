using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>Issue 9: the event limit cannot be used by one peer to switch the plugin off for everyone (a refused
/// HandleEvent is fail-open in Kong: the plugin is skipped).</summary>
public abstract class EventLimitTests
{
    /// <summary>Every test runs once per connection mode (see the derived classes at the end of the file).</summary>
    protected abstract Hosting.KongConnectionMode Mode { get; }

    private InProcessServer Start(Hosting.KongPluginDescriptor plugin, Action<Hosting.KongServerOptions>? configure = null)
        => InProcessServer.Start(plugin, options => { options.ConnectionMode = Mode; configure?.Invoke(options); });

    private static TestPlugin Echo() => new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
    {
        string? host = await kong.Request.GetHeaderAsync("host", ct);
        await kong.Response.SetHeaderAsync("x-echo", host ?? "", ct);
    });

    [Fact]
    public async Task OneConnectionThatNeverSteps_IsCappedByItsOwnOldestEvents_OthersAreServed()
    {
        await using InProcessServer server = Start(Echo(), o => { o.MaxEventsPerConnection = 10; o.MaxEventsInFlight = 40; });
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        await using KongConnection hostile = await server.ConnectAsync();
        var ids = new List<long>();
        for (int i = 0; i < 100; i++)
        {
            RpcAnswer call = await server.HandleEventAsync(hostile, 7, "access");
            Assert.Equal("kong.request.get_header", call.CallMethod); // never refused: its oldest events make room
            ids.Add(call.EventId);
            Assert.InRange(server.Server.Events.Count, 1, 10);
        }

        // The peer's oldest events were abandoned, its newest still run.
        Assert.StartsWith("no running event", (string)(await server.StepAsync(kong, ids[0], "h")).Error!);
        Assert.Equal(new object?[] { "x-echo", "late" }, (await server.StepAsync(kong, ids[^1], "late")).CallArgs);

        // Meanwhile another connection's events are served end to end.
        Assert.Equal("ret", (await RunOneAsync(server, kong)).Data);
    }

    [Fact]
    public async Task EventLimitReached_ByPeersThatNeverStep_TheLongestWaitingMakeRoom_KongIsServed()
    {
        await using InProcessServer server = Start(Echo(), o => { o.MaxEventsPerConnection = 8; o.MaxEventsInFlight = 20; });
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");

        // Peers that leave: their events stay until the idle timeout, attributed to the connection they were sent on.
        for (int peer = 0; peer < 4; peer++)
        {
            await using KongConnection hostile = await server.ConnectAsync();
            for (int i = 0; i < 8; i++) Assert.Equal("kong.request.get_header", (await server.HandleEventAsync(hostile, 7, "access")).CallMethod);
        }

        RpcAnswer legit = await server.HandleEventAsync(kong, 7, "access"); // waits for its step meanwhile
        Assert.Equal("kong.request.get_header", legit.CallMethod);

        Assert.InRange(server.Server.Events.Count, 2, 20);
        for (int i = 0; i < 5; i++) Assert.Equal("ret", (await RunOneAsync(server, kong)).Data);
        Assert.Equal(new object?[] { "x-echo", "h" }, (await server.StepAsync(kong, legit.EventId, "h")).CallArgs);
    }

    /// <summary>Review D3: a peer that spreads its never-stepped events over many connections, two each, does not
    /// make Kong's own connection (the one with the most events waiting) the victim: the events waiting longest go
    /// first.</summary>
    [Fact]
    public async Task EventLimitReached_ByEventsSpreadOverManyConnections_TheLongestWaitingGo_KongsLiveEventsStay()
    {
        await using InProcessServer server = Start(Echo(), o => { o.MaxEventsPerConnection = 100; o.MaxEventsInFlight = 20; });
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        var hostile = new List<KongConnection>();
        try
        {
            for (int peer = 0; peer < 8; peer++)
            {
                KongConnection connection = await server.ConnectAsync();
                hostile.Add(connection);
                for (int i = 0; i < 2; i++) Assert.Equal("kong.request.get_header", (await server.HandleEventAsync(connection, 7, "access")).CallMethod);
            }

            // Kong's live requests: more of them wait on its connection than on any hostile one.
            var live = new List<long>();
            for (int i = 0; i < 8; i++)
            {
                RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
                Assert.Equal("kong.request.get_header", call.CallMethod);
                live.Add(call.EventId);
            }

            Assert.InRange(server.Server.Events.Count, 1, 20);
            foreach (long id in live)
            {
                Assert.Equal(new object?[] { "x-echo", "h" }, (await server.StepAsync(kong, id, "h")).CallArgs);
                Assert.Equal("ret", (await server.StepAsync(kong, id, null, hasData: false)).Data);
            }
        }
        finally
        {
            foreach (KongConnection connection in hostile) await connection.DisposeAsync();
        }
    }

    /// <summary>Issue 9 item 9: events that began waiting in the same millisecond go in start order (the lower id
    /// first), whatever order the registry lists them in; an event that waits since later goes after them, whatever
    /// its id. The server's clock stands still, so every event here began waiting in the same millisecond unless the
    /// test moves it.</summary>
    [Fact]
    public async Task EventLimitReached_EventsWaitingSinceTheSameMillisecond_GoInStartOrder_ALaterWaitGoesAfterThem()
    {
        var clock = new ManualClock();
        await using InProcessServer server = InProcessServer.Start(Echo(), o => { o.ConnectionMode = Mode; o.MaxEventsPerConnection = 100; o.MaxEventsInFlight = 6; }, clockMs: clock.Now);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        var ids = new List<long>();
        for (int i = 0; i < 6; i++) ids.Add((await server.HandleEventAsync(kong, 7, "access")).EventId);

        // The first two finish; the next two take their places in the registry, so it lists them before the older
        // events 3 to 6.
        foreach (long id in ids.Take(2))
        {
            await server.StepAsync(kong, id, "h");
            Assert.Equal("ret", (await server.StepAsync(kong, id, null, hasData: false)).Data);
            await ProtocolConformanceTests.Eventually(() => !server.Server.Events.TryGet((int)id, out _), "the event is removed");
        }

        for (int i = 0; i < 2; i++) ids.Add((await server.HandleEventAsync(kong, 7, "access")).EventId);
        Assert.Equal(6, server.Server.Events.Count);

        // At the limit: the one that goes is the first started of those waiting (event 3), not the newest (7, 8).
        ids.Add((await server.HandleEventAsync(kong, 7, "access")).EventId);
        Assert.StartsWith("no running event", (string)(await server.StepAsync(kong, ids[2], "h")).Error!);

        // Event 4 is stepped a moment later: it now waits since then, so event 5 goes before it.
        clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(new object?[] { "x-echo", "h" }, (await server.StepAsync(kong, ids[3], "h")).CallArgs);
        ids.Add((await server.HandleEventAsync(kong, 7, "access")).EventId);
        Assert.StartsWith("no running event", (string)(await server.StepAsync(kong, ids[4], "h")).Error!);
        Assert.Equal("ret", (await server.StepAsync(kong, ids[3], null, hasData: false)).Data);

        // The rest still run: 6, 7, 8 and the two started at the limit.
        foreach (long id in new[] { ids[5], ids[6], ids[7], ids[8], ids[9] })
        {
            Assert.Equal(new object?[] { "x-echo", "h" }, (await server.StepAsync(kong, id, "h")).CallArgs);
            Assert.Equal("ret", (await server.StepAsync(kong, id, null, hasData: false)).Data);
        }
    }

    [Fact]
    public async Task EventLimitReached_WithEveryEventRunning_PastItAnError()
    {
        var release = new TaskCompletionSource();
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            await release.Task.WaitAsync(ct); // computes: nothing waits for a step, nothing can be made room for
            await kong.Request.GetHeaderAsync("h", ct);
        });
        await using InProcessServer server = Start(plugin, o => o.MaxEventsInFlight = 2);
        await using KongConnection a = await server.ConnectAsync();
        await server.StartInstanceAsync(a, "my-plugin");
        await using KongConnection b = await server.ConnectAsync();
        await using KongConnection c = await server.ConnectAsync();
        await a.SendAsync(Mp.Encode(new object?[] { 0L, 501L, "plugin.HandleEvent", new object?[] { Mp.Map("InstanceId", 7L, "EventName", "access") } }));
        await b.SendAsync(Mp.Encode(new object?[] { 0L, 502L, "plugin.HandleEvent", new object?[] { Mp.Map("InstanceId", 7L, "EventName", "access") } }));
        await ProtocolConformanceTests.Eventually(() => server.Server.Events.Count == 2, "two events run");
        Assert.Equal("too many events in flight", (await server.HandleEventAsync(c, 7, "access")).Error);
        release.SetResult();
        Assert.Equal("kong.request.get_header", (await a.ReadAnswerAsync(501)).CallMethod);
        Assert.Equal("kong.request.get_header", (await b.ReadAnswerAsync(502)).CallMethod);
    }

    private static async Task<RpcAnswer> RunOneAsync(InProcessServer server, KongConnection kong)
    {
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        await server.StepAsync(kong, call.EventId, "h");
        return await server.StepAsync(kong, call.EventId, null, hasData: false);
    }
}

public sealed class EventLimitTests_Thread : EventLimitTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.Thread;
}

public sealed class EventLimitTests_EventLoop : EventLimitTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.EventLoop;
}
