using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>kong-protocol.md §10 conformance checklist, played over a real Unix socket against the in-process
/// server. Each test names its checklist item.</summary>
public abstract class ProtocolConformanceTests
{
    /// <summary>Every test runs once per connection mode (see the derived classes at the end of the file).</summary>
    protected abstract Hosting.KongConnectionMode Mode { get; }

    private InProcessServer Start(Hosting.KongPluginDescriptor plugin, Action<Hosting.KongServerOptions>? configure = null)
        => InProcessServer.Start(plugin, options => { options.ConnectionMode = Mode; configure?.Invoke(options); });

    private static TestPlugin HelloLike() => new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
    {
        string? host = await kong.Request.GetHeaderAsync("host", ct);
        await kong.Response.SetHeaderAsync("x-hello", "hi " + (host ?? "(none)"), ct);
    });

    [Fact]
    public async Task Item05_FirstBytesOnEveryConnection_AreServerPid()
    {
        await using InProcessServer server = Start(HelloLike());
        for (int i = 0; i < 3; i++)
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(server.SocketPath));
            byte[] buffer = new byte[64];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int read = 0;
            byte[] expected = Mp.Encode(new object?[] { 2L, "serverPid", (long)Environment.ProcessId });
            while (read < expected.Length) read += await socket.ReceiveAsync(buffer.AsMemory(read), System.Net.Sockets.SocketFlags.None, cts.Token);
            Assert.Equal(Mp.Hex("93 02 A9 736572766572506964"), buffer[..12]);
            Assert.Equal(expected, buffer[..expected.Length]);
        }
    }

    [Fact]
    public async Task Item06_ThreeSequentialRequests_OneConnection_AnsweredInOrder()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        for (long msgId = 11; msgId < 14; msgId++)
        {
            RpcAnswer answer = await kong.CallAsync(msgId, "plugin.StartInstance", Mp.Map("Name", "my-plugin", "Config", $$"""{"__seq__":{{msgId}}}"""));
            Assert.Null(answer.Error);
            Assert.Equal(msgId, answer.Map["Id"]);
        }
    }

    [Fact]
    public async Task Item07_RequestDeliveredOneByteAtATime_IsAnswered()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        byte[] request = Mp.Encode(new object?[] { 0L, 5L, "plugin.StartInstance", new object?[] { Mp.Map("Name", "my-plugin", "Config", """{"__seq__":3}""") } });
        foreach (byte b in request)
        {
            await kong.SendAsync([b]);
        }

        RpcAnswer answer = await kong.ReadAnswerAsync(5);
        Assert.Equal(3L, answer.Map["Id"]);
    }

    [Fact]
    public async Task Item08_EofInTheMiddleOfAMessage_ClosesQuietly_ServerKeepsServing()
    {
        await using InProcessServer server = Start(HelloLike());
        await using (KongConnection broken = await server.ConnectAsync())
        {
            byte[] request = Mp.Encode(new object?[] { 0L, 5L, "plugin.StartInstance", new object?[] { Mp.Map("Name", "my-plugin", "Config", "{}") } });
            await broken.SendAsync(request[..10]);
        }

        await using KongConnection kong = await server.ConnectAsync();
        long id = await server.StartInstanceAsync(kong, "my-plugin");
        Assert.Equal(7L, id);
    }

    [Fact]
    public async Task Item09_OversizedMessage_ClosesOnlyThatConnection()
    {
        await using InProcessServer server = Start(HelloLike(), o => o.MaxMessageSize = 1024);
        await using KongConnection other = await server.ConnectAsync();
        await using KongConnection kong = await server.ConnectAsync();
        await kong.SendAsync(Mp.Encode(new object?[] { 0L, 1L, "plugin.Step", new object?[] { Mp.Map("EventId", 1L, "Data", new string('x', 2000)) } }));
        Assert.True(await kong.IsClosedByServerAsync());
        Assert.Equal(7L, await server.StartInstanceAsync(other, "my-plugin"));
    }

    [Fact]
    public async Task Item09_TooDeepMessage_ClosesOnlyThatConnection()
    {
        await using InProcessServer server = Start(HelloLike(), o => o.MaxNestingDepth = 8);
        await using KongConnection kong = await server.ConnectAsync();
        object? nested = "x";
        for (int i = 0; i < 10; i++) nested = new object?[] { nested };
        await kong.SendAsync(Mp.Encode(new object?[] { 0L, 1L, "plugin.Step", new object?[] { Mp.Map("EventId", 1L, "Data", nested) } }));
        Assert.True(await kong.IsClosedByServerAsync());
        await using KongConnection other = await server.ConnectAsync();
        Assert.Equal(7L, await server.StartInstanceAsync(other, "my-plugin"));
    }

    [Fact]
    public async Task Item09_MessageExactlyAtTheLimit_IsServed()
    {
        byte[] probe = Mp.Encode(new object?[] { 0L, 1L, "plugin.StartInstance", new object?[] { Mp.Map("Name", "my-plugin", "Config", """{"__seq__":7,"padding":"0123456789012345678901234567890123456789"}""") } });
        await using InProcessServer server = Start(HelloLike(), o => o.MaxMessageSize = probe.Length);
        await using KongConnection kong = await server.ConnectAsync();
        await kong.SendAsync(probe);
        Assert.Equal(7L, (await kong.ReadAnswerAsync(1)).Map["Id"]);
    }

    [Fact]
    public async Task Item10_StartInstance_IdIsSeq_UnknownKeysIgnored_NoConfigEchoed()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        RpcAnswer answer = await kong.CallAsync(1, "plugin.StartInstance", Mp.Map("Name", "my-plugin",
            "Config", """{"message":"hi","__seq__":7,"__plugin_id":"6f0c","__key__":"plugins:my-plugin::::0dc6","__ws_id":"0dc6"}"""));
        Assert.Null(answer.Error);
        Assert.Equal("my-plugin", answer.Map["Name"]);
        Assert.Equal(7L, answer.Map["Id"]);
        long startTime = (long)answer.Map["StartTime"]!;
        Assert.InRange(startTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.False(answer.Map.ContainsKey("Config"));
    }

    [Theory]
    [InlineData("""{"__seq__":0}""")]
    [InlineData("""{"message":"x"}""")]
    public async Task Item11_NoSeq_IdIsAFreshPositiveInt31(string config)
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        var ids = new HashSet<long>();
        for (int i = 0; i < 20; i++)
        {
            long id = await server.StartInstanceAsync(kong, "my-plugin", config);
            Assert.InRange(id, 1, int.MaxValue);
            Assert.True(ids.Add(id));
        }
    }

    [Fact]
    public async Task Item12_StartInstanceForAnExistingId_ReplacesIt()
    {
        int created = 0;
        var plugin = HelloLike();
        plugin.OnCreate = _ => Interlocked.Increment(ref created);
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        Assert.Equal(7L, await server.StartInstanceAsync(kong, "my-plugin"));
        Assert.Equal(7L, await server.StartInstanceAsync(kong, "my-plugin"));
        Assert.Equal(2, created);
        Assert.Equal(1, server.Server.Instances.Count);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public async Task Item13_BadConfig_IsAnErrorString_WithoutNoPluginInstance(string config)
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        RpcAnswer answer = await kong.CallAsync(1, "plugin.StartInstance", Mp.Map("Name", "my-plugin", "Config", config));
        string error = Assert.IsType<string>(answer.Error);
        Assert.Contains("config", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("no plugin instance", error, StringComparison.OrdinalIgnoreCase);
        Assert.Null(answer.Result);
    }

    [Fact]
    public async Task Item13_ThrowingConstructor_IsAnErrorString_AndTheServerKeepsServing()
    {
        var plugin = HelloLike();
        plugin.OnCreate = json => throw new InvalidOperationException(json.Contains("boom") ? "no plugin instance here: boom" : "x");
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        RpcAnswer answer = await kong.CallAsync(1, "plugin.StartInstance", Mp.Map("Name", "my-plugin", "Config", """{"boom":1}"""));
        string error = Assert.IsType<string>(answer.Error);
        Assert.Contains("InvalidOperationException", error);
        Assert.DoesNotContain("no plugin instance", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", error);
        plugin.OnCreate = null;
        Assert.Equal(7L, await server.StartInstanceAsync(kong, "my-plugin"));
    }

    [Fact]
    public async Task Item14_StartInstanceForAnotherPlugin_IsAnError()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        RpcAnswer answer = await kong.CallAsync(1, "plugin.StartInstance", Mp.Map("Name", "other", "Config", "{}"));
        Assert.Contains("other", Assert.IsType<string>(answer.Error));
    }

    [Fact]
    public async Task Item15_CloseInstance_AnswersNameAndId_SecondCloseIsAnError()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer closed = await kong.CallAsync(2, "plugin.CloseInstance", 7L);
        Assert.Null(closed.Error);
        Assert.Equal("my-plugin", closed.Map["Name"]);
        Assert.Equal(7L, closed.Map["Id"]);
        RpcAnswer again = await kong.CallAsync(3, "plugin.CloseInstance", 7L);
        string error = Assert.IsType<string>(again.Error);
        Assert.DoesNotContain("no plugin instance", error);
        RpcAnswer handle = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("no plugin instance 7", handle.Error);
    }

    [Fact]
    public async Task Item16_IdleInstance_IsCollected_ButNotWhileAnEventRuns()
    {
        var gate = new TaskCompletionSource();
        var plugin = new TestPlugin("my-plugin")
            .On(KongPhase.Access, async (kong, ct) => await kong.Request.GetHeaderAsync("host", ct))
            .On(KongPhase.Log, async (kong, ct) => await gate.Task.WaitAsync(ct));
        await using InProcessServer server = Start(plugin, o =>
        {
            o.InstanceIdleTtl = TimeSpan.FromMilliseconds(300);
            o.HandlerDeadline = TimeSpan.FromSeconds(30);
        });
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin", """{"__seq__":1}""");
        await server.StartInstanceAsync(kong, "my-plugin", """{"__seq__":2}""");

        Task<RpcAnswer> busy = server.HandleEventAsync(kong, 2, "log"); // held by the gate
        await Eventually(() => server.Server.Instances.Count == 1, "instance 1 collected");
        await Task.Delay(500);
        Assert.True(server.Server.Instances.TryGet(2, out _), "an instance with a running event is kept");
        gate.SetResult();
        Assert.Equal("ret", (await busy.WaitAsync(TimeSpan.FromSeconds(10))).Data);
        await Eventually(() => server.Server.Instances.Count == 0, "instance 2 collected once idle");
    }

    [Fact]
    public async Task Item17_HandlerWithoutCalls_AnswersRet()
    {
        await using InProcessServer server = Start(new TestPlugin("my-plugin").On(KongPhase.Access, (_, _) => ValueTask.CompletedTask));
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer answer = await server.HandleEventAsync(kong, 7, "access");
        Assert.Null(answer.Error);
        Assert.Equal("ret", answer.Data);
        Assert.True(answer.EventId > 0);
    }

    [Fact]
    public async Task Item18_19_GetHeaderThenSetHeader_StepsOnAnotherConnection()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection a = await server.ConnectAsync();
        await using KongConnection b = await server.ConnectAsync();
        await server.StartInstanceAsync(a, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(a, 7, "access");
        Assert.Equal("kong.request.get_header", call.CallMethod);
        Assert.Equal(new object?[] { "host" }, call.CallArgs);
        RpcAnswer set = await server.StepAsync(b, call.EventId, "example.com");
        Assert.Equal(call.EventId, set.EventId);
        Assert.Equal("kong.response.set_header", set.CallMethod);
        Assert.Equal(new object?[] { "x-hello", "hi example.com" }, set.CallArgs);
        RpcAnswer ret = await server.StepAsync(a, call.EventId, null, hasData: false);
        Assert.Equal("ret", ret.Data);
        Assert.Equal(0, server.Server.Events.Count);
    }

    [Fact]
    public async Task Item20_StepWithoutData_IsNull()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        RpcAnswer set = await server.StepAsync(kong, call.EventId, null, hasData: false);
        Assert.Equal(new object?[] { "x-hello", "hi (none)" }, set.CallArgs);
    }

    [Theory]
    [InlineData("plugin.StepMultiMap")]
    [InlineData("plugin.StepRoute")]
    [InlineData("plugin.StepService")]
    [InlineData("plugin.StepConsumer")]
    [InlineData("plugin.StepCredential")]
    [InlineData("plugin.StepMemoryStats")]
    [InlineData("plugin.StepWhatever")]
    public async Task Item22_EveryStepVariant_IsAStep(string method)
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        RpcAnswer set = await server.StepAsync(kong, call.EventId, "h", method: method);
        Assert.Equal(new object?[] { "x-hello", "hi h" }, set.CallArgs);
    }

    [Fact]
    public async Task Item21_StepMultiMap_TwoValuedAndOneValued_EmptyMapAndEmptyArray()
    {
        var seen = new List<string>();
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            for (int i = 0; i < 3; i++)
            {
                KongMultiMap headers = await kong.Request.GetHeadersAsync(ct);
                seen.Add(string.Join(";", headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => h.Key + "=" + string.Join(",", h.Value))));
            }
        });
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        Assert.Equal("kong.request.get_headers", call.CallMethod);
        call = await server.StepAsync(kong, call.EventId, Mp.Map("accept", new object?[] { "a", "b" }, "x", new object?[] { "1" }), method: "plugin.StepMultiMap");
        call = await server.StepAsync(kong, call.EventId, new MpRaw([0x80]), method: "plugin.StepMultiMap");
        RpcAnswer ret = await server.StepAsync(kong, call.EventId, new MpRaw([0x90]), method: "plugin.StepMultiMap");
        Assert.Equal("ret", ret.Data);
        Assert.Equal(["accept=a,b;x=1", "", ""], seen);
    }

    [Fact]
    public async Task Item23_StepError_ThrowsKongPdkException_HandlerCanCatchAndContinue()
    {
        string? caught = null;
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            try
            {
                await kong.Request.GetHeaderAsync("host", ct);
            }
            catch (KongPdkException ex)
            {
                caught = ex.Message;
            }

            await kong.Response.SetHeaderAsync("x-after", "yes", ct);
        });
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        RpcAnswer next = await server.StepAsync(kong, call.EventId, "not found", method: "plugin.StepError");
        Assert.Equal("kong.response.set_header", next.CallMethod);
        Assert.Equal("kong.request.get_header: not found", caught);
    }

    [Fact]
    public async Task Item24_NonUtf8StrAndBin_DecodeWithoutThrowing()
    {
        var seen = new List<string?>();
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            for (int i = 0; i < 3; i++) seen.Add(await kong.Request.GetHeaderAsync("x", ct));
        });
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        call = await server.StepAsync(kong, call.EventId, new MpRaw(Mp.Hex("A2 FF FE")));
        call = await server.StepAsync(kong, call.EventId, new MpRaw(Mp.Hex("C4 02 68 69")));
        RpcAnswer ret = await server.StepAsync(kong, call.EventId, new MpRaw(Mp.Hex("A2 68 69")));
        Assert.Equal("ret", ret.Data);
        Assert.Equal(["\uFFFD\uFFFD", "hi", "hi"], seen);
    }

    [Fact]
    public async Task Item24_WrongTypeForAString_IsAPdkExceptionNotACrash()
    {
        Exception? caught = null;
        var plugin = new TestPlugin("my-plugin").On(KongPhase.Access, async (kong, ct) =>
        {
            try
            {
                await kong.Request.GetHeaderAsync("x", ct);
            }
            catch (Exception ex)
            {
                caught = ex;
            }
        });
        await using InProcessServer server = Start(plugin);
        await using KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, "my-plugin");
        RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
        RpcAnswer ret = await server.StepAsync(kong, call.EventId, Mp.Map("a", 1L));
        Assert.Equal("ret", ret.Data);
        Assert.IsType<KongPdkException>(caught);
    }

    [Fact]
    public async Task Item25_UnknownInstance_IsNoPluginInstance()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        await kong.SendAsync(Mp.Hex("94 00 02 B2 706c7567696e2e48616e646c654576656e74 91 82 AA 496e7374616e63654964 CD 03 E7 A9 4576656e744e616d65 A6 616363657373"));
        byte[] answer = await kong.ReadRawAsync();
        Assert.Equal(Mp.Hex("94 01 02 B6 6e6f20706c7567696e20696e7374616e636520393939 C0"), answer);
    }

    [Fact]
    public async Task Item26_UnknownEvent_IsNoRunningEvent()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        RpcAnswer answer = await server.StepAsync(kong, 12345, "x");
        Assert.Equal("no running event 12345", answer.Error);
    }

    [Fact]
    public async Task Item27_UnknownMethod_IsAnError_ConnectionStaysUsable()
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        await kong.SendAsync(Mp.Hex("94 00 09 B1 706c7567696e2e46726f626e6963617465 90"));
        Assert.Equal(Mp.Encode(new object?[] { 1L, 9L, "method plugin.Frobnicate not implemented", null }), await kong.ReadRawAsync());
        Assert.Equal(7L, await server.StartInstanceAsync(kong, "my-plugin"));
    }

    [Theory]
    [InlineData("94 00 05 B2 706c7567696e2e48616e646c654576656e74 90")]          // HandleEvent []
    [InlineData("94 00 05 B2 706c7567696e2e48616e646c654576656e74 91 05")]       // HandleEvent [5]
    [InlineData("94 00 05 B2 706c7567696e2e48616e646c654576656e74 91 81 AA 496e7374616e63654964 A1 78")] // InstanceId "x"
    [InlineData("94 00 05 AB 706c7567696e2e53746570 91 80")]                     // Step [{}]
    [InlineData("94 00 05 B4 706c7567696e2e5374617274496e7374616e6365 91 A1 78")] // StartInstance ["x"]
    [InlineData("94 00 05 B4 706c7567696e2e436c6f7365496e7374616e6365 91 A1 78")] // CloseInstance ["x"]
    [InlineData("94 00 05 05 90")]                                               // method not a string
    [InlineData("94 00 05 B2 706c7567696e2e48616e646c654576656e74 A1 78")]       // params not an array
    public async Task Item28_MalformedParams_AreAnErrorString_ConnectionSurvives(string hex)
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        await kong.SendAsync(Mp.Hex(hex));
        RpcAnswer answer = await kong.ReadAnswerAsync(5);
        Assert.IsType<string>(answer.Error);
        Assert.DoesNotContain("no plugin instance", (string)answer.Error!);
        Assert.Equal(7L, await server.StartInstanceAsync(kong, "my-plugin"));
    }

    [Theory]
    [InlineData("92 01 02")]          // a response, not a request
    [InlineData("A3 616263")]         // not an array
    [InlineData("94 00 A1 78 A1 78 90")] // msgid not an integer
    public async Task Item28_MessageWithoutAReadableMsgId_ClosesTheConnection(string hex)
    {
        await using InProcessServer server = Start(HelloLike());
        await using KongConnection kong = await server.ConnectAsync();
        await kong.SendAsync(Mp.Hex(hex));
        Assert.True(await kong.IsClosedByServerAsync());
        await using KongConnection other = await server.ConnectAsync();
        Assert.Equal(7L, await server.StartInstanceAsync(other, "my-plugin"));
    }

    internal static async Task Eventually(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) Assert.Fail("timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }
}

public sealed class ProtocolConformanceTests_Thread : ProtocolConformanceTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.Thread;
}

public sealed class ProtocolConformanceTests_EventLoop : ProtocolConformanceTests
{
    protected override Hosting.KongConnectionMode Mode => Hosting.KongConnectionMode.EventLoop;
}
