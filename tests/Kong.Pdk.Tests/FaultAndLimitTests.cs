using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>Issue 6: faults (disconnects, abandoned events, storms) and every limit at and past its value.</summary>
public abstract class FaultAndLimitTests
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
    public async Task Disconnect_AfterHandleEvent_TheEventContinuesOnAnotherConnection()
    {
        await using InProcessServer server = Start(Echo());
        RpcAnswer call;
        await using (KongConnection a = await server.ConnectAsync())
        {
            await server.StartInstanceAsync(a, "my-plugin");
            call = await server.HandleEventAsync(a, 7, "access");
        }

        await using KongConnection b = await server.ConnectAsync();
        RpcAnswer set = await server.StepAsync(b, call.EventId, "moved");
        Assert.Equal(new object?[] { "x-echo", "moved" }, set.CallArgs);
        await using KongConnection c = await server.ConnectAsync();
        Assert.Equal("ret", (await server.StepAsync(c, call.EventId, null, hasData: false)).Data);
    }

    [Fact]
    public async Task Disconnect_InTheMiddleOfAStep_EventIsAbandonedLater_ServerKeepsServing()
    {
        await using InProcessServer server = Start(Echo(), o => o.EventIdleTimeout = TimeSpan.FromMilliseconds(200));
        await using KongConnection a = await server.ConnectAsync();
        await server.StartInstanceAsync(a, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(a, 7, "access");
        await using (KongConnection b = await server.ConnectAsync())
        {
            byte[] step = Mp.Encode(new object?[] { 0L, 99L, "plugin.Step", new object?[] { Mp.Map("EventId", call.EventId, "Data", "x") } });
            await b.SendAsync(step[..(step.Length / 2)]);
        }

        await ProtocolConformanceTests.Eventually(() => server.Server.Events.Count == 0, "the event is abandoned");
        Assert.Equal("ret", (await RunOneAsync(server, a)).Data);
    }

    [Fact]
    public async Task TenThousandAbandonedEvents_AreAllFreedAfterTheIdleTimeout()
    {
        await using InProcessServer server = Start(Echo(), o => o.EventIdleTimeout = TimeSpan.FromMilliseconds(300));
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        for (int i = 0; i < 10_000; i++)
        {
            RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.request.get_header", call.CallMethod);
        }

        await ProtocolConformanceTests.Eventually(() => server.Server.Events.Count == 0, "all events freed", 30_000);
        Assert.True(server.Server.Instances.TryGet(7, out Server.PluginInstance instance));
        await ProtocolConformanceTests.Eventually(() => instance.RunningEvents == 0, "every handler unwound", 30_000);
    }

    [Fact]
    public async Task StartCloseStorm_ConcurrentWithEvents_On64Connections_EveryAnswerMatchesItsRequest()
    {
        await using InProcessServer server = Start(Echo());
        await using (KongConnection first = await server.ConnectAsync())
        {
            await server.StartInstanceAsync(first, "my-plugin");
        }

        async Task StormAsync(int worker)
        {
            await using KongConnection kong = await server.ConnectAsync();
            for (int i = 0; i < 40; i++)
            {
                long seq = 1000 + worker * 100 + i;
                RpcAnswer started = await kong.CallAsync(server.NextMsgId(), "plugin.StartInstance", Mp.Map("Name", "my-plugin", "Config", $$"""{"__seq__":{{seq}}}"""));
                Assert.Equal(seq, started.Map["Id"]);
                RpcAnswer closed = await kong.CallAsync(server.NextMsgId(), "plugin.CloseInstance", seq);
                Assert.Equal(seq, closed.Map["Id"]);
            }
        }

        async Task EventsAsync(int worker)
        {
            await using KongConnection kong = await server.ConnectAsync();
            for (int i = 0; i < 40; i++)
            {
                RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
                RpcAnswer set = await server.StepAsync(kong, call.EventId, $"w{worker}-{i}");
                Assert.Equal(new object?[] { "x-echo", $"w{worker}-{i}" }, set.CallArgs);
                Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, null, hasData: false)).Data);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 32).Select(StormAsync).Concat(Enumerable.Range(0, 32).Select(EventsAsync))).WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(1, server.Server.Instances.Count);
        Assert.Equal(0, server.Server.Events.Count);
    }

    [Fact]
    public async Task MaxConnections_AtTheLimitServed_PastItClosedAtOnce()
    {
        await using InProcessServer server = Start(Echo(), o => o.MaxConnections = 2);
        await using KongConnection a = await server.ConnectAsync();
        await using KongConnection b = await server.ConnectAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectAsync());
        await a.DisposeAsync();
        await ProtocolConformanceTests.Eventually(() => server.Server.ConnectionCount < 2, "the closed connection is released");
        await using KongConnection c = await server.ConnectAsync();
        Assert.Equal(7L, await server.StartInstanceAsync(c, "my-plugin"));
    }

    [Fact]
    public async Task MaxEventsInFlight_AtTheLimitServed_PastItTheOldestWaitingEventMakesRoom()
    {
        await using InProcessServer server = Start(Echo(), o => o.MaxEventsInFlight = 2);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer first = await server.HandleEventAsync(kong, 7, "access");
        RpcAnswer second = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("kong.request.get_header", second.CallMethod);
        RpcAnswer third = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("kong.request.get_header", third.CallMethod);
        Assert.Equal(2, server.Server.Events.Count);
        Assert.StartsWith("no running event", (string)(await server.StepAsync(kong, first.EventId, "h")).Error!);
        await server.StepAsync(kong, second.EventId, "h");
        Assert.Equal("ret", (await server.StepAsync(kong, second.EventId, null, hasData: false)).Data);
    }

    [Fact]
    public async Task HandlerThatIgnoresCancellation_AndHangs_DoesNotBlockOtherEvents()
    {
        var release = new TaskCompletionSource();
        var plugin = new TestPlugin("my-plugin")
            .On(KongPhase.Log, async (_, _) => await release.Task)
            .On(KongPhase.Access, async (kong, ct) => await kong.Request.GetHeaderAsync("h", ct));
        await using InProcessServer server = Start(plugin, o => o.HandlerDeadline = TimeSpan.FromMilliseconds(200));
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        Assert.Equal("ret", (await server.HandleEventAsync(kong, 7, "log")).Data); // deadline: log phase ends with ret
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("kong.request.get_header", call.CallMethod);
        Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, "v")).Data);
        release.SetResult();
    }

    [Fact]
    public async Task HandlerThatBlocksItsThreadPastTheDeadline_TheSameConnectionServesTheNextRequest()
    {
        using var release = new ManualResetEventSlim();
        int blocked = 0;
        void Block()
        {
            Interlocked.Increment(ref blocked);
            release.Wait(TimeSpan.FromSeconds(30)); // ignores its token: blocks the thread it runs on
        }

        var plugin = new TestPlugin("my-plugin")
            .On(KongPhase.Rewrite, (_, _) =>
            {
                Block(); // on the thread that received plugin.HandleEvent
                return ValueTask.CompletedTask;
            })
            .On(KongPhase.Access, async (kong, ct) =>
            {
                // After a step: on the thread that received plugin.Step, which resumes the handler inline.
                if (await kong.Request.GetHeaderAsync("h", ct) == "block") Block();
            });
        await using InProcessServer server = Start(plugin, o => o.HandlerDeadline = TimeSpan.FromMilliseconds(200));
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        try
        {
            RpcAnswer error = await server.HandleEventAsync(kong, 7, "rewrite");
            Assert.Equal("kong.response.error", error.CallMethod);
            Assert.Equal(new object?[] { 500L }, error.CallArgs);
            Assert.Equal(1, Volatile.Read(ref blocked));

            RpcAnswer call = await server.HandleEventAsync(kong, 7, "access"); // the same connection
            Assert.Equal("kong.request.get_header", call.CallMethod);
            Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, "v")).Data);
            Assert.Equal(1, server.Server.BlockedHandlerThreads);
            Assert.Contains("1 thread(s) blocked by handlers past their deadline", server.Log, StringComparison.Ordinal);

            // The connection's new reader is blocked in turn, now by a handler resumed by a step.
            call = await server.HandleEventAsync(kong, 7, "access");
            error = await server.StepAsync(kong, call.EventId, "block");
            Assert.Equal("kong.response.error", error.CallMethod);
            Assert.Equal(2, Volatile.Read(ref blocked));
            call = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, "v")).Data);
            Assert.Equal(2, server.Server.BlockedHandlerThreads);
            Assert.Contains("2 thread(s) blocked by handlers past their deadline", server.Log, StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
        }

        await ProtocolConformanceTests.Eventually(() => server.Server.BlockedHandlerThreads == 0, "the blocked threads are counted out");
        Assert.Contains("returned; 0 thread(s) still blocked by handlers past their deadline", server.Log, StringComparison.Ordinal);
        await ProtocolConformanceTests.Eventually(() => server.Server.Events.Count == 0, "no event left");
        // The blocked frames wrote nothing when they came back: the next answer on the connection is the next request's.
        RpcAnswer after = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("kong.request.get_header", after.CallMethod);
        Assert.Equal("ret", (await server.StepAsync(kong, after.EventId, "v")).Data);
        Assert.Equal(1, server.Server.ConnectionCount);
        // One connection, closed once: Kong's close ends it, and nothing is left open or counted.
        await kong.DisposeAsync();
        await ProtocolConformanceTests.Eventually(() => server.Server.ConnectionCount == 0, "the connection is closed");
    }

    [Fact]
    public async Task HandlerThatRunsOutOfMemory_FailsClosed_AndTheServerKeepsServing()
    {
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, (_, _) =>
        {
            byte[] huge = new byte[Array.MaxLength + 1L]; // OutOfMemoryException: no allocation happens
            GC.KeepAlive(huge);
            return ValueTask.CompletedTask;
        });
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer log = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("kong.log.err", log.CallMethod);
        Assert.Contains("OutOfMemoryException", (string)log.CallArgs[0]!);
        Assert.Equal("kong.response.error", (await server.StepAsync(kong, log.EventId, null, hasData: false)).CallMethod);
        RpcAnswer next = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("kong.log.err", next.CallMethod);
    }

    [Fact]
    public async Task SocketFile_HasTheConfiguredMode()
    {
        await using InProcessServer server = Start(Echo());
        Assert.False(OperatingSystem.IsWindows(), "Unix domain socket servers run on Linux and macOS");
        UnixFileMode mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(server.SocketPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }

    [Fact]
    public async Task ConfigValues_AreNeverLogged_EvenWhenBindingFails()
    {
        var plugin = Echo();
        plugin.OnCreate = json => { if (json.Contains("bad")) throw new KongConfigException("api_key", "expected a string"); };
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin", """{"api_key":"s3cr3t-value","__seq__":1}""");
        RpcAnswer failed = await kong.CallAsync(server.NextMsgId(), "plugin.StartInstance", Mp.Map("Name", "my-plugin", "Config", """{"api_key":"s3cr3t-value","bad":1}"""));
        Assert.Contains("api_key", (string)failed.Error!);
        Assert.DoesNotContain("s3cr3t", server.Log);
        Assert.DoesNotContain("s3cr3t", (string)failed.Error!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StartInstance_ExceptionsWithAConfigValueInTheirMessage_NeverReachKongOrTheLog(bool hideExceptionDetails)
    {
        // Canaries: a setter that echoes its value, a hand-written KongConfigException with one in its message.
        var plugin = Echo();
        plugin.OnCreate = json =>
        {
            if (json.Contains("\"setter\"")) throw new ArgumentException("bad value CANARY-7f3a-setter");
            if (json.Contains("\"field\"")) throw new KongConfigException("api_key", "got CANARY-7f3a-field");
            if (json.Contains("\"whole\"")) throw new KongConfigException("config CANARY-7f3a-whole is wrong");
            if (json.Contains("\"name\"")) throw new KongConfigException("token CANARY-7f3a-name", "bad");
            if (json.Contains("\"path\"")) throw new KongConfigException("limits[2].<key>.burst", "bad");
        };
        await using InProcessServer server = Start(plugin, o => o.HideExceptionDetails = hideExceptionDetails);
        await using KongConnection kong = await server.ConnectAsync();

        var errors = new List<string>();
        foreach (string key in (string[])["setter", "field", "whole", "name", "path"])
        {
            RpcAnswer failed = await kong.CallAsync(server.NextMsgId(), "plugin.StartInstance",
                Mp.Map("Name", "my-plugin", "Config", $$"""{"{{key}}":"CANARY-7f3a-value"}"""));
            errors.Add((string)failed.Error!);
        }

        Assert.All(errors, e => Assert.DoesNotContain("CANARY", e, StringComparison.Ordinal));
        Assert.DoesNotContain("CANARY", server.Log, StringComparison.Ordinal);
        Assert.Contains("ArgumentException while binding the configuration", errors[0], StringComparison.Ordinal);
        Assert.Contains("invalid config field 'api_key'", errors[1], StringComparison.Ordinal);
        Assert.Contains("KongConfigException while binding the configuration", errors[2], StringComparison.Ordinal);
        Assert.Contains("invalid config field '(a field; its name is not shown)'", errors[3], StringComparison.Ordinal); // review D5
        Assert.Contains("invalid config field 'limits[2].<key>.burst'", errors[4], StringComparison.Ordinal);
    }

    private static async Task<RpcAnswer> RunOneAsync(InProcessServer server, KongConnection kong)
    {
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        await server.StepAsync(kong, call.EventId, "h");
        return await server.StepAsync(kong, call.EventId, null, hasData: false);
    }
}

public sealed class FaultAndLimitTests_Thread : FaultAndLimitTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.Thread;
}

public sealed class FaultAndLimitTests_EventLoop : FaultAndLimitTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.EventLoop;
}
