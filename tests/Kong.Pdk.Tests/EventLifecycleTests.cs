using Kong.Pdk.Hosting;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>kong-protocol.md §4.9–4.11 and checklist items 29–37: terminal calls, failures, deadlines, abandoned
/// events, phase checks, concurrency, and what we never write.</summary>
public abstract class EventLifecycleTests
{
    /// <summary>Every test runs once per connection mode (see the derived classes at the end of the file).</summary>
    protected abstract Hosting.KongConnectionMode Mode { get; }

    private InProcessServer Start(Hosting.KongPluginDescriptor plugin, Action<Hosting.KongServerOptions>? configure = null)
        => InProcessServer.Start(plugin, options => { options.ConnectionMode = Mode; configure?.Invoke(options); });

    private async Task<(InProcessServer Server, KongConnection Kong)> StartAsync(TestPlugin plugin, Action<KongServerOptions>? configure = null)
    {
        InProcessServer server = Start(plugin, configure);
        KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, plugin.Name);
        return (server, kong);
    }

    [Fact]
    public async Task Item29_Exit_IsTheLastMessage_CodeAfterItDoesNotRun_LaterStepIsNoRunningEvent()
    {
        bool ranAfterExit = false;
        Exception? observed = null;
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            try
            {
                await kong.Response.ExitAsync(403, "denied", cancellationToken: ct);
                ranAfterExit = true;
            }
            catch (OperationCanceledException ex)
            {
                observed = ex;
                throw;
            }
        });
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer exit = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.response.exit", exit.CallMethod);
            Assert.Equal(new object?[] { 403L, "denied" }, exit.CallArgs);
            Assert.Equal(0, server.Server.Events.Count);
            RpcAnswer late = await server.StepAsync(kong, exit.EventId, null, hasData: false);
            Assert.Equal($"no running event {exit.EventId}", late.Error);
            await ProtocolConformanceTests.Eventually(() => observed is not null, "the handler unwound");
            Assert.False(ranAfterExit);
            Assert.Equal(KongEventEndReason.Exited, Assert.IsType<KongEventEndedException>(observed).Reason);
        }
    }

    [Fact]
    public async Task KongKeptAfterItsEvent_ItsCallsThrowEnded_AndNeverReachTheNextEventThatReusesTheCore()
    {
        var handles = new List<IKong>();
        KongRequest keptRequest = default;
        KongCtxShared keptShared = default;
        KongClientTls keptTls = default;
        KongServiceRequest keptUpstream = default;
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            lock (handles) handles.Add(kong);
            if (handles.Count == 1)
            {
                // The first event keeps its IKong, and module values taken from it, and returns.
                keptRequest = kong.Request;
                keptShared = kong.Ctx.Shared;
                keptTls = kong.Client.Tls;
                keptUpstream = kong.Service.Request;
                return;
            }

            await kong.Request.GetHeaderAsync("host", ct);
        });
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer first = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("ret", first.Data);
            await ProtocolConformanceTests.Eventually(() => server.Server.Events.Pooled == 1, "the first event's core went back to the pool");

            RpcAnswer second = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.request.get_header", second.CallMethod);
            IKong kept = handles[0], current = handles[1];
            Assert.Same(((Server.KongEvent)kept).Core ?? ((Server.KongEvent)current).Core, ((Server.KongEvent)current).Core);
            Assert.Null(((Server.KongEvent)kept).Core);

            // The kept handle, and a module taken from it now, fail at once; the second event's call stays pending.
            var ended = await Assert.ThrowsAsync<KongEventEndedException>(async () => await kept.Request.GetHeaderAsync("x-stale"));
            Assert.Equal(KongEventEndReason.Exited, ended.Reason);
            await Assert.ThrowsAsync<KongEventEndedException>(async () => await kept.Response.SetHeaderAsync("x-stale", "1"));
            Assert.Equal(KongPhase.Access, kept.Phase);

            // Module values (structs over the handle) kept from the first event fail the same way.
            Assert.Equal(KongEventEndReason.Exited, (await Assert.ThrowsAsync<KongEventEndedException>(async () => await keptRequest.GetHeaderAsync("x-stale"))).Reason);
            await Assert.ThrowsAsync<KongEventEndedException>(async () => await keptShared.SetAsync("x-stale", "1"));
            await Assert.ThrowsAsync<KongEventEndedException>(async () => await keptTls.GetFullClientCertificateChainAsync());
            await Assert.ThrowsAsync<KongEventEndedException>(async () => await keptUpstream.SetHeaderAsync("x-stale", "1"));

            Assert.Equal("ret", (await server.StepAsync(kong, second.EventId, "example.com")).Data);
            Assert.Equal(0, server.Server.Events.Count);
        }
    }

    [Fact]
    public async Task Item29_ExitBytes_MatchTheWalkThrough()
    {
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) => await kong.Response.ExitAsync(403, "denied", cancellationToken: ct));
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            await kong.SendAsync(Mp.Encode(new object?[] { 0L, 3L, "plugin.HandleEvent", new object?[] { Mp.Map("InstanceId", 7L, "EventName", "access") } }));
            byte[] answer = await kong.ReadRawAsync();
            Assert.Equal(Mp.Hex("94 01 03 C0 82 A7 4576656e744964 01 A4 44617461 82 A6 4d6574686f64 B2 6b6f6e672e726573706f6e73652e65786974 A4 41726773 92 CD 0193 A6 64656e696564"), answer);
        }
    }

    [Fact]
    public async Task Item30_ExitWithHeadersAndNoBody_SetsHeadersFirst_NeverANilHole()
    {
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
            await kong.Response.ExitAsync(401, headers: new Dictionary<string, string> { ["X-A"] = "1" }, cancellationToken: ct));
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer set = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.response.set_headers", set.CallMethod);
            Assert.Equal(Mp.Map("X-A", "1"), Assert.IsType<Dictionary<object, object?>>(set.CallArgs[0]));
            RpcAnswer exit = await server.StepAsync(kong, set.EventId, null, hasData: false);
            Assert.Equal("kong.response.exit", exit.CallMethod);
            Assert.Equal(new object?[] { 401L }, exit.CallArgs);
        }
    }

    [Theory]
    [InlineData("access")]
    [InlineData("rewrite")]
    [InlineData("response")]
    public async Task Item31_ExceptionInARequestPhase_LogsThenFailsClosed(string phase)
    {
        var plugin = new TestPlugin("my-plugin").On(Enum.Parse<KongPhase>(phase, ignoreCase: true), (_, _) => throw new InvalidOperationException("secret detail"));
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer log = await server.HandleEventAsync(kong, 7, phase);
            Assert.Equal("kong.log.err", log.CallMethod);
            string text = Assert.IsType<string>(log.CallArgs[0]);
            Assert.Contains("InvalidOperationException", text);
            Assert.DoesNotContain("secret detail", text);
            RpcAnswer error = await server.StepAsync(kong, log.EventId, null, hasData: false);
            Assert.Equal("kong.response.error", error.CallMethod);
            Assert.Equal(new object?[] { 500L }, error.CallArgs);
            Assert.Equal(0, server.Server.Events.Count);
            Assert.Contains("secret detail", server.Log);
        }
    }

    [Fact]
    public async Task Item31_WithExceptionDetailsShown_KongLogCarriesTheMessage_NeverTheStackTrace()
    {
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, (_, _) => throw new InvalidOperationException("visible detail"));
        var (server, kong) = await StartAsync(plugin, o => o.HideExceptionDetails = false);
        await using (server)
        await using (kong)
        {
            RpcAnswer log = await server.HandleEventAsync(kong, 7, "access");
            string text = Assert.IsType<string>(log.CallArgs[0]);
            Assert.Contains("InvalidOperationException", text);
            Assert.Contains("visible detail", text);
            Assert.DoesNotContain(" at ", text);
            Assert.Equal("kong.response.error", (await server.StepAsync(kong, log.EventId, null, hasData: false)).CallMethod);
        }
    }

    [Fact]
    public async Task Item31_ExceptionWithFailOpen_LogsThenReturns()
    {
        var plugin = new TestPlugin("my-plugin", KongFailurePolicy.FailOpen).On(KongPhase.Access, (_, _) => throw new InvalidOperationException("x"));
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer log = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.log.err", log.CallMethod);
            Assert.Equal("ret", (await server.StepAsync(kong, log.EventId, null, hasData: false)).Data);
        }
    }

    [Fact]
    public async Task Item31_ExceptionInLog_LogsThenReturns()
    {
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Log, async (kong, ct) =>
        {
            await kong.Request.GetHeaderAsync("x", ct);
            throw new InvalidOperationException("x");
        });
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer get = await server.HandleEventAsync(kong, 7, "log");
            RpcAnswer log = await server.StepAsync(kong, get.EventId, "v");
            Assert.Equal("kong.log.err", log.CallMethod);
            Assert.Equal("ret", (await server.StepAsync(kong, log.EventId, null, hasData: false)).Data);
        }
    }

    [Fact]
    public async Task Item32_HandlerPastItsDeadline_IsCancelled_AndFailsClosed()
    {
        var cancelled = new TaskCompletionSource();
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            ct.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        });
        var (server, kong) = await StartAsync(plugin, o => o.HandlerDeadline = TimeSpan.FromMilliseconds(300));
        await using (server)
        await using (kong)
        {
            RpcAnswer error = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.response.error", error.CallMethod);
            Assert.Equal(new object?[] { 500L }, error.CallArgs);
            await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, server.Server.Events.Count);
        }
    }

    [Fact]
    public async Task Item33_NoStepWithinTheIdleTimeout_CancelsAndFrees_WritingNothing()
    {
        var outcome = new TaskCompletionSource<Exception>();
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            try
            {
                await kong.Request.GetHeaderAsync("host", ct);
            }
            catch (Exception ex)
            {
                outcome.TrySetResult(ex);
                throw;
            }
        });
        var (server, kong) = await StartAsync(plugin, o => o.EventIdleTimeout = TimeSpan.FromMilliseconds(300));
        await using (server)
        await using (kong)
        {
            RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
            Exception ex = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(KongEventEndReason.Abandoned, Assert.IsType<KongEventEndedException>(ex).Reason);
            Assert.Equal(0, server.Server.Events.Count);
            Assert.Equal($"no running event {call.EventId}", (await server.StepAsync(kong, call.EventId, "late")).Error);
        }
    }

    [Fact]
    public async Task Item34_ManyConcurrentConnections_OneInstance_UniqueEvents_NoCrossTalk()
    {
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            string? host = await kong.Request.GetHeaderAsync("host", ct);
            await kong.Response.SetHeaderAsync("x-echo", host ?? "", ct);
        });
        var (server, first) = await StartAsync(plugin);
        await using (server)
        await using (first)
        {
            var eventIds = new System.Collections.Concurrent.ConcurrentBag<long>();
            async Task OneAsync(int n)
            {
                await using KongConnection a = await server.ConnectAsync();
                await using KongConnection b = await server.ConnectAsync();
                RpcAnswer call = await server.HandleEventAsync(a, 7, "access");
                eventIds.Add(call.EventId);
                RpcAnswer set = await server.StepAsync(b, call.EventId, "host-" + n);
                Assert.Equal(new object?[] { "x-echo", "host-" + n }, set.CallArgs);
                Assert.Equal("ret", (await server.StepAsync(a, call.EventId, null, hasData: false)).Data);
            }

            await Task.WhenAll(Enumerable.Range(0, 250).Select(OneAsync)).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(250, eventIds.Distinct().Count());
            Assert.Equal(0, server.Server.Events.Count);
        }
    }

    [Fact]
    public async Task Item35_RequestGetterInLog_ThrowsLocally_NamingThePhase_NothingSent()
    {
        KongPdkException? caught = null;
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Log, async (kong, ct) =>
        {
            try
            {
                await kong.Request.GetPathAsync(ct);
            }
            catch (KongPdkException ex)
            {
                caught = ex;
            }

            await kong.Request.GetHeaderAsync("x", ct);
        });
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer first = await server.HandleEventAsync(kong, 7, "log");
            Assert.Equal("kong.request.get_header", first.CallMethod);
            Assert.NotNull(caught);
            Assert.Contains("kong.request.get_path", caught!.Message);
            Assert.Contains("log phase", caught.Message);
            Assert.Equal("ret", (await server.StepAsync(kong, first.EventId, null, hasData: false)).Data);
        }
    }

    [Fact]
    public async Task Item37_NothingWeWrite_HoldsExtTypes_ErrorsAreNilOrString()
    {
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            await kong.Request.GetHeaderAsync("h", ct);
            await kong.Response.ExitAsync(200, "ok", new Dictionary<string, string> { ["a"] = "b" }, ct);
        });
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            var written = new List<byte[]>();
            await kong.SendAsync(Mp.Encode(new object?[] { 0L, 100L, "plugin.HandleEvent", new object?[] { Mp.Map("InstanceId", 7L, "EventName", "access") } }));
            written.Add(await kong.ReadRawAsync());
            long eventId = (long)((Dictionary<object, object?>)((object?[])Mp.Decode(written[0])!)[3]!)["EventId"]!;
            await kong.SendAsync(Mp.Encode(new object?[] { 0L, 101L, "plugin.Step", new object?[] { Mp.Map("EventId", eventId, "Data", "v") } }));
            written.Add(await kong.ReadRawAsync());
            await kong.SendAsync(Mp.Encode(new object?[] { 0L, 102L, "plugin.Bogus", Array.Empty<object?>() }));
            written.Add(await kong.ReadRawAsync());
            foreach (byte[] message in written)
            {
                AssertNoExt(Mp.Decode(message));
                object?[] response = (object?[])Mp.Decode(message)!;
                Assert.True(response[2] is null or string);
            }
        }
    }

    private static void AssertNoExt(object? value)
    {
        // Mp.Decode throws on ext types; walk to be sure every element decoded to a plain value.
        switch (value)
        {
            case object?[] array:
                foreach (object? item in array) AssertNoExt(item);
                break;
            case Dictionary<object, object?> map:
                foreach (KeyValuePair<object, object?> pair in map)
                {
                    AssertNoExt(pair.Key);
                    AssertNoExt(pair.Value);
                }

                break;
            default:
                Assert.True(value is null or bool or long or double or string or byte[]);
                break;
        }
    }

    [Fact]
    public async Task WalkThrough_4_11_StartInstanceAndHandleEvent_ByteForByte()
    {
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            string? host = await kong.Request.GetHeaderAsync("host", ct);
            await kong.Response.SetHeaderAsync("x-hello", "hi " + host, ct);
        });
        await using InProcessServer server = Start(plugin);
        await using KongConnection a = await server.ConnectAsync();
        await a.SendAsync(Mp.Hex("94 00 01 B4 706c7567696e2e5374617274496e7374616e6365 91 82 A4 4e616d65 A9 6d792d706c7567696e A6 436f6e666967 BC 7b226d657373616765223a226869222c225f5f7365715f5f223a377d"));
        byte[] started = await a.ReadRawAsync();
        Assert.Equal(Mp.Hex("94 01 01 C0 83 A4 4e616d65 A9 6d792d706c7567696e A2 4964 07 A9 537461727454696d65 CE"), started[..35]);
        await a.SendAsync(Mp.Hex("94 00 02 B2 706c7567696e2e48616e646c654576656e74 91 82 AA 496e7374616e63654964 07 A9 4576656e744e616d65 A6 616363657373"));
        Assert.Equal(Mp.Hex("94 01 02 C0 82 A7 4576656e744964 01 A4 44617461 82 A6 4d6574686f64 B7 6b6f6e672e726571756573742e6765745f686561646572 A4 41726773 91 A4 686f7374"), await a.ReadRawAsync());
        await using KongConnection b = await server.ConnectAsync();
        await b.SendAsync(Mp.Hex("94 00 03 AB 706c7567696e2e53746570 91 82 A7 4576656e744964 01 A4 44617461 AB 6578616d706c652e636f6d"));
        Assert.Equal(Mp.Hex("94 01 03 C0 82 A7 4576656e744964 01 A4 44617461 82 A6 4d6574686f64 B8 6b6f6e672e726573706f6e73652e7365745f686561646572 A4 41726773 92 A7 782d68656c6c6f AE 6869206578616d706c652e636f6d"), await b.ReadRawAsync());
        await b.SendAsync(Mp.Hex("94 00 04 AB 706c7567696e2e53746570 91 81 A7 4576656e744964 01"));
        Assert.Equal(Mp.Hex("94 01 04 C0 82 A7 4576656e744964 01 A4 44617461 A3 726574"), await b.ReadRawAsync());
        await a.SendAsync(Mp.Hex("94 00 05 B4 706c7567696e2e436c6f7365496e7374616e6365 91 07"));
        Assert.Equal(Mp.Hex("94 01 05 C0 82 A4 4e616d65 A9 6d792d706c7567696e A2 4964 07"), await a.ReadRawAsync());
    }

    [Fact]
    public async Task RecordedKongRequests_StartInstanceAndEvents_AreAcceptedAsKongSentThem()
    {
        // The first request of the recording (vectors/startinstance.json): StartInstance with Kong's real Config
        // (str16, defaults and nulls), then HandleEvent access for the instance id Kong chose (__seq__ = 1).
        var plugin = new TestPlugin("vectors").On(KongPhase.Access, async (kong, ct) => await kong.Request.GetPathAsync(ct));
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        List<Vectors.Message> recorded = Vectors.All().Where(m => m.File == "startinstance.json" && m.Dir == "kong->server").OrderBy(m => m.Seq).ToList();
        await kong.SendAsync(recorded[0].Bytes);
        RpcAnswer started = await kong.ReadAnswerAsync((long)((object?[])Mp.Decode(recorded[0].Bytes)!)[1]!);
        Assert.Equal(1L, started.Map["Id"]);
    }
}

public sealed class RawBodyTests
{
    [Fact]
    public async Task Item36_GetRawBody_IsSentWithArgsZero_AndBinComesBackAsBytes()
    {
        byte[]? body = null;
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) => body = await kong.Request.GetRawBodyAsync(ct));
        await using InProcessServer server = InProcessServer.Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("kong.request.get_raw_body", call.CallMethod);
        Assert.Equal(new object?[] { 0L }, call.CallArgs);
        Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, new TestSupport.MpRaw(TestSupport.Mp.Hex("C4 02 68 69")))).Data);
        Assert.Equal("hi"u8.ToArray(), body);
    }
}

public sealed class EventLifecycleTests_Thread : EventLifecycleTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.Thread;
}

public sealed class EventLifecycleTests_EventLoop : EventLifecycleTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.EventLoop;
}
