using System.Diagnostics;
using Kong.Pdk.Hosting;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    /// <summary>Alone: the observable instruments (connections, instances) sum over every server in the process.</summary>
    public const string Name = "telemetry";
}

/// <summary>
/// The event span and the instruments of docs/observability.md, read through <see cref="ActivityListener"/> and
/// <see cref="System.Diagnostics.Metrics.MeterListener"/> while a fake Kong plays events over the real Unix socket.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests
{
    private static readonly string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static readonly string ParentSpanId = "00f067aa0ba902b7";

    private static async Task<(InProcessServer Server, KongConnection Kong)> StartAsync(TestPlugin plugin, Action<KongServerOptions>? configure = null)
    {
        InProcessServer server = InProcessServer.Start(plugin, configure);
        KongConnection kong = await server.ConnectAsync();
        await server.StartInstanceAsync(kong, plugin.Name);
        return (server, kong);
    }

    private static string UniqueName() => "otel-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Event_ThatReturns_HasASpanWithPluginPhaseInstanceAndOutcome_AndEveryEventInstrument()
    {
        string name = UniqueName();
        Activity? current = null;
        var plugin = new TestPlugin(name).On(KongPhase.Access, async (kong, ct) =>
        {
            current = Activity.Current;
            await kong.Request.GetHeaderAsync("host", ct);
        });
        using var telemetry = new TelemetryRecorder();
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.request.get_header", call.CallMethod);
            Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, "example.com")).Data);

            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
            Activity span = Assert.Single(telemetry.SpansOf(name));
            Assert.Same(span, current); // the handler runs inside its event's span
            Assert.Equal($"{name} access", span.DisplayName);
            Assert.Equal(ActivityKind.Server, span.Kind);
            Assert.Equal(KongDiagnostics.ActivitySourceName, span.Source.Name);
            Assert.False(string.IsNullOrEmpty(span.Source.Version));
            Assert.Equal("access", span.GetTagItem("kong.phase"));
            Assert.Equal(7, span.GetTagItem("kong.plugin.instance.id"));
            Assert.Equal((int)call.EventId, span.GetTagItem("kong.pdk.event.id"));
            Assert.Equal("ok", span.GetTagItem("kong.pdk.event.outcome"));
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
            Assert.Equal(default, span.ParentSpanId);

            TelemetryRecorder.Measurement ended = Assert.Single(telemetry.Of("kong.pdk.events", name));
            Assert.Equal(1, ended.Value);
            Assert.Equal("{event}", ended.Unit);
            Assert.Equal("access", ended["kong.phase"]);
            Assert.Equal("ok", ended["kong.pdk.event.outcome"]);

            TelemetryRecorder.Measurement duration = Assert.Single(telemetry.Of("kong.pdk.event.duration", name));
            Assert.Equal("s", duration.Unit);
            Assert.InRange(duration.Value, 0, 10);
            Assert.Equal("ok", duration["kong.pdk.event.outcome"]);

            TelemetryRecorder.Measurement roundTrip = Assert.Single(telemetry.Of("kong.pdk.call.duration", name));
            Assert.Equal("s", roundTrip.Unit);
            Assert.Equal("kong.request.get_header", roundTrip["kong.pdk.method"]);
            Assert.InRange(roundTrip.Value, 0, duration.Value);

            Assert.Equal([1d, -1d], telemetry.Of("kong.pdk.active_events", name).Select(m => m.Value));
            Assert.All(telemetry.Of("kong.pdk.active_events", name), m => Assert.Equal("access", m["kong.phase"]));
            Assert.Empty(telemetry.Of("kong.pdk.fail_closed_responses", name));
            Assert.Empty(telemetry.Of("kong.pdk.abandoned_events", name));
        }
    }

    [Fact]
    public async Task Event_ThatExits_HasOutcomeExit_AndNoErrorStatus()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, async (kong, ct) => await kong.Response.ExitAsync(403, "denied", cancellationToken: ct));
        using var telemetry = new TelemetryRecorder();
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            Assert.Equal("kong.response.exit", (await server.HandleEventAsync(kong, 7, "access")).CallMethod);
            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
            Activity span = telemetry.SpansOf(name)[0];
            Assert.Equal("exit", span.GetTagItem("kong.pdk.event.outcome"));
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
            Assert.Equal("exit", Assert.Single(telemetry.Of("kong.pdk.events", name))["kong.pdk.event.outcome"]);
        }
    }

    [Fact]
    public async Task Event_ThatThrows_FailingClosed_IsAnErrorSpan_AndCountsAFailClosedResponse()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, (_, _) => throw new InvalidOperationException("boom"));
        using var telemetry = new TelemetryRecorder();
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer log = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.log.err", log.CallMethod);
            RpcAnswer error = await server.StepAsync(kong, log.EventId, null, hasData: false);
            Assert.Equal("kong.response.error", error.CallMethod);

            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
            Activity span = telemetry.SpansOf(name)[0];
            Assert.Equal("plugin_error", span.GetTagItem("kong.pdk.event.outcome"));
            Assert.Equal(true, span.GetTagItem("kong.pdk.fail_closed"));
            Assert.Equal(typeof(InvalidOperationException).FullName, span.GetTagItem("error.type"));
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.DoesNotContain("boom", span.StatusDescription ?? "", StringComparison.Ordinal); // no exception message

            TelemetryRecorder.Measurement failClosed = Assert.Single(telemetry.Of("kong.pdk.fail_closed_responses", name));
            Assert.Equal("plugin_error", failClosed["kong.pdk.event.outcome"]);
            Assert.Equal("plugin_error", Assert.Single(telemetry.Of("kong.pdk.events", name))["kong.pdk.event.outcome"]);
            Assert.Empty(telemetry.Of("kong.pdk.abandoned_events", name));
        }
    }

    [Fact]
    public async Task Event_PastItsDeadline_CountsAnAbandonmentAndAFailClosedResponse()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, async (_, ct) => await Task.Delay(Timeout.Infinite, ct));
        using var telemetry = new TelemetryRecorder();
        var (server, kong) = await StartAsync(plugin, o => o.HandlerDeadline = TimeSpan.FromMilliseconds(200));
        await using (server)
        await using (kong)
        {
            Assert.Equal("kong.response.error", (await server.HandleEventAsync(kong, 7, "access")).CallMethod);
            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
            Activity span = telemetry.SpansOf(name)[0];
            Assert.Equal("deadline", span.GetTagItem("kong.pdk.event.outcome"));
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal("deadline", Assert.Single(telemetry.Of("kong.pdk.abandoned_events", name))["kong.pdk.event.outcome"]);
            Assert.Equal("deadline", Assert.Single(telemetry.Of("kong.pdk.fail_closed_responses", name))["kong.pdk.event.outcome"]);
        }
    }

    [Fact]
    public async Task Event_NeverStepped_CountsAnIdleAbandonment_AndEndsItsOpenCallSpan()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, async (kong, ct) => await kong.Request.GetHeaderAsync("host", ct));
        using var telemetry = new TelemetryRecorder();
        var (server, kong) = await StartAsync(plugin, o => { o.EventIdleTimeout = TimeSpan.FromMilliseconds(200); o.TracePdkCalls = true; });
        await using (server)
        await using (kong)
        {
            Assert.Equal("kong.request.get_header", (await server.HandleEventAsync(kong, 7, "access")).CallMethod);
            await ProtocolConformanceTests.Eventually(() => telemetry.Spans.Count(s => s.DisplayName == $"{name} access") == 1, "the event span ended");
            Activity span = telemetry.SpansOf(name)[0];
            Assert.Equal("idle", span.GetTagItem("kong.pdk.event.outcome"));
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal("idle", Assert.Single(telemetry.Of("kong.pdk.abandoned_events", name))["kong.pdk.event.outcome"]);
            Activity call = Assert.Single(telemetry.Spans, s => s.ParentSpanId == span.SpanId);
            Assert.Equal(ActivityStatusCode.Error, call.Status);
            Assert.Empty(telemetry.Of("kong.pdk.call.duration", name)); // no round trip completed
        }
    }

    [Fact]
    public async Task TracePdkCalls_GivesAChildSpanPerCall_NamedAfterTheMethod()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, async (kong, ct) =>
        {
            await kong.Request.GetHeaderAsync("host", ct);
            await kong.Response.SetHeaderAsync("x-a", "1", ct);
        });
        using var telemetry = new TelemetryRecorder(metrics: false);
        var (server, kong) = await StartAsync(plugin, o => o.TracePdkCalls = true);
        await using (server)
        await using (kong)
        {
            RpcAnswer get = await server.HandleEventAsync(kong, 7, "access");
            RpcAnswer set = await server.StepAsync(kong, get.EventId, "example.com");
            Assert.Equal("kong.response.set_header", set.CallMethod);
            Assert.Equal("ret", (await server.StepAsync(kong, set.EventId, null, hasData: false)).Data);

            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
            Activity span = telemetry.SpansOf(name)[0];
            List<Activity> calls = telemetry.Spans.Where(s => s.ParentSpanId == span.SpanId).ToList();
            Assert.Equal(["kong.request.get_header", "kong.response.set_header"], calls.Select(c => c.DisplayName));
            Assert.All(calls, c =>
            {
                Assert.Equal(ActivityKind.Client, c.Kind);
                Assert.Equal(span.TraceId, c.TraceId);
                Assert.Equal(c.DisplayName, c.GetTagItem("kong.pdk.method"));
            });
        }
    }

    [Fact]
    public async Task WithoutTracePdkCalls_ThereAreNoCallSpans()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, async (kong, ct) => await kong.Request.GetHeaderAsync("host", ct));
        using var telemetry = new TelemetryRecorder(metrics: false);
        var (server, kong) = await StartAsync(plugin);
        await using (server)
        await using (kong)
        {
            RpcAnswer get = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("ret", (await server.StepAsync(kong, get.EventId, "example.com")).Data);
            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
            Assert.DoesNotContain(telemetry.Spans, s => s.ParentSpanId == telemetry.SpansOf(name)[0].SpanId);
        }
    }

    [Fact]
    public async Task ContinueRequestTrace_ReadsTraceparentFirst_AndTheSpanContinuesTheClientsTrace()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, async (kong, ct) => await kong.Response.SetHeaderAsync("x-a", "1", ct));
        using var telemetry = new TelemetryRecorder();
        var (server, kong) = await StartAsync(plugin, o => o.ContinueRequestTrace = true);
        await using (server)
        await using (kong)
        {
            RpcAnswer read = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.request.get_header", read.CallMethod);
            Assert.Equal(new object?[] { "traceparent" }, read.CallArgs);
            RpcAnswer set = await server.StepAsync(kong, read.EventId, $"00-{TraceId}-{ParentSpanId}-01");
            Assert.Equal("kong.response.set_header", set.CallMethod);
            Assert.Equal("ret", (await server.StepAsync(kong, set.EventId, null, hasData: false)).Data);

            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
            Activity span = telemetry.SpansOf(name)[0];
            Assert.Equal(TraceId, span.TraceId.ToHexString());
            Assert.Equal(ParentSpanId, span.ParentSpanId.ToHexString());
            Assert.True(span.HasRemoteParent);
            Assert.Equal("ok", span.GetTagItem("kong.pdk.event.outcome"));
            // The span covers the traceparent read: it starts at HandleEvent.
            Assert.Equal(2, telemetry.Of("kong.pdk.call.duration", name).Count);
            Assert.True(span.Duration.TotalSeconds >= telemetry.Of("kong.pdk.call.duration", name).Sum(m => m.Value) * 0.99);
        }
    }

    [Fact]
    public async Task ContinueRequestTrace_WithoutTheHeader_StartsANewTrace()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, (_, _) => ValueTask.CompletedTask);
        using var telemetry = new TelemetryRecorder(metrics: false);
        var (server, kong) = await StartAsync(plugin, o => o.ContinueRequestTrace = true);
        await using (server)
        await using (kong)
        {
            RpcAnswer read = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal(new object?[] { "traceparent" }, read.CallArgs);
            Assert.Equal("ret", (await server.StepAsync(kong, read.EventId, null, hasData: false)).Data);
            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
            Activity span = telemetry.SpansOf(name)[0];
            Assert.Equal(default, span.ParentSpanId);
            Assert.False(span.HasRemoteParent);
        }
    }

    [Fact]
    public async Task ContinueRequestTrace_WithNoTracerListening_CostsNoRoundTrip()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, (_, _) => ValueTask.CompletedTask);
        using var telemetry = new TelemetryRecorder(traces: false); // metrics only: no span is sampled
        var (server, kong) = await StartAsync(plugin, o => o.ContinueRequestTrace = true);
        await using (server)
        await using (kong)
        {
            Assert.Equal("ret", (await server.HandleEventAsync(kong, 7, "access")).Data);
        }
    }

    [Fact]
    public async Task ContinueRequestTrace_InAPhaseWithoutRequestHeaders_DoesNotRead()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Certificate, (_, _) => ValueTask.CompletedTask);
        using var telemetry = new TelemetryRecorder(metrics: false);
        var (server, kong) = await StartAsync(plugin, o => o.ContinueRequestTrace = true);
        await using (server)
        await using (kong)
        {
            Assert.Equal("ret", (await server.HandleEventAsync(kong, 7, "certificate")).Data);
            await ProtocolConformanceTests.Eventually(() => telemetry.SpansOf(name).Count == 1, "the event span ended");
        }
    }

    [Fact]
    public async Task Limits_RefusedConnectionsAndEvents_EvictedEvents_AndTheLiveInstancesAndConnections_AreMeasured()
    {
        string name = UniqueName();
        var release = new TaskCompletionSource();
        var plugin = new TestPlugin(name)
            .On(KongPhase.Access, async (kong, ct) => await kong.Request.GetHeaderAsync("host", ct))
            .On(KongPhase.Rewrite, async (_, _) => await release.Task);
        using var telemetry = new TelemetryRecorder();
        var (server, kong) = await StartAsync(plugin, o => { o.MaxConnections = 1; o.MaxEventsInFlight = 1; });
        await using (server)
        await using (kong)
        {
            // One connection is the limit: a second is closed at once.
            await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectAsync());
            await ProtocolConformanceTests.Eventually(() => telemetry.Of("kong.pdk.rejected_connections").Count == 1, "the refused connection is counted");
            Assert.Equal("{connection}", telemetry.Of("kong.pdk.rejected_connections")[0].Unit);

            telemetry.Observe();
            Assert.Equal(1, Assert.Single(telemetry.Of("kong.pdk.active_connections")).Value);
            TelemetryRecorder.Measurement instances = Assert.Single(telemetry.Of("kong.pdk.active_instances", name));
            Assert.Equal(1, instances.Value);
            Assert.Equal("{instance}", instances.Unit);

            // An event waiting for a step is evicted to make room for the next one.
            RpcAnswer waiting = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal("kong.request.get_header", waiting.CallMethod);
            Task<RpcAnswer> computing = server.HandleEventAsync(kong, 7, "rewrite");
            await ProtocolConformanceTests.Eventually(() => telemetry.Of("kong.pdk.abandoned_events", name).Count == 1, "the waiting event is evicted");
            Assert.Equal("evicted", telemetry.Of("kong.pdk.abandoned_events", name)[0]["kong.pdk.event.outcome"]);

            release.SetResult();
            Assert.Equal("ret", (await computing.WaitAsync(TimeSpan.FromSeconds(10))).Data);
        }

        // An event that computes waits for no step, so nothing can make room: the next HandleEvent is refused.
        var release2 = new TaskCompletionSource();
        string other = UniqueName();
        var blocking = new TestPlugin(other).On(KongPhase.Access, async (kong, ct) =>
        {
            await release2.Task;
            await kong.Response.SetHeaderAsync("x", "1", ct);
        });
        var (server2, kong2) = await StartAsync(blocking, o => o.MaxEventsInFlight = 1);
        await using (server2)
        await using (kong2)
        await using (KongConnection second = await server2.ConnectAsync())
        {
            Task<RpcAnswer> first = server2.HandleEventAsync(kong2, 7, "access");
            await ProtocolConformanceTests.Eventually(() => server2.Server.Events.Count == 1, "the first event runs");
            RpcAnswer refused = await server2.HandleEventAsync(second, 7, "access");
            Assert.NotNull(refused.Error);
            TelemetryRecorder.Measurement rejected = Assert.Single(telemetry.Of("kong.pdk.rejected_events", other));
            Assert.Equal("access", rejected["kong.phase"]);
            release2.SetResult();
            RpcAnswer set = await first.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("ret", (await server2.StepAsync(kong2, set.EventId, null, hasData: false)).Data);
        }
    }

    [Fact]
    public async Task NobodyListening_NoSpanNoMeasurement_AndTheProtocolIsUnchanged()
    {
        string name = UniqueName();
        var plugin = new TestPlugin(name).On(KongPhase.Access, async (kong, ct) =>
        {
            Assert.Null(Activity.Current);
            await kong.Request.GetHeaderAsync("host", ct);
        });
        var (server, kong) = await StartAsync(plugin, o => { o.ContinueRequestTrace = true; o.TracePdkCalls = true; });
        await using (server)
        await using (kong)
        {
            RpcAnswer call = await server.HandleEventAsync(kong, 7, "access");
            Assert.Equal(new object?[] { "host" }, call.CallArgs);
            Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, "example.com")).Data);
        }
    }
}
