using System.Buffers;
using System.Net.Sockets;
using Kong.Pdk.Hosting;
using Kong.Pdk.Pdk;
using Kong.Pdk.Protocol;
using Kong.Pdk.Server;

namespace Kong.Pdk.Tests;

/// <summary>
/// A steady-state Step allocates nothing in the server, with the diagnostics compiled in: with nobody listening,
/// and also with a tracer and every instrument listening (a PDK call then records its round trip with a stack-only
/// tag list). Kong's steps are played on the test's thread against an event whose handler calls
/// <c>kong.response.set_header</c> in a loop; the handler resumes inline, so
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees the whole Step (the whole-server figure over a socket is
/// benchmarks/Kong.Pdk.Benchmarks --alloc). In the telemetry collection: alone, so no other test's listener is attached.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class StepAllocationTests
{
    [Fact]
    public void SteadyStateStep_NobodyListening_AllocatesNothing() => Assert.Equal(0, BytesPerThousandSteps());

    [Fact]
    public void SteadyStateStep_WithTracesAndMetricsListening_AllocatesNothing()
    {
        using var listeners = new SilentListeners();
        Assert.Equal(0, BytesPerThousandSteps());
    }

    /// <summary>
    /// Many suspended events interleaved on one thread, as an event-loop thread serves them (issue #13): each step
    /// resumes a different event, whose handler reads a header (a string answer) and sets one (an ignored answer).
    /// </summary>
    [Fact]
    public void SteadyStateSteps_OfManyInterleavedEvents_AllocateNothing() => Assert.Equal(0, BytesPerThousandSteps(events: 64));

    /// <summary>On a thread of its own: without xunit's synchronization context, the handler resumes inline.</summary>
    private static long BytesPerThousandSteps(int events = 1)
    {
        long bytes = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                bytes = events == 1 ? MeasureSteps() : MeasureInterleavedSteps(events);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the measurement finished");
        if (failure is not null) throw new InvalidOperationException("the measurement failed", failure);
        return bytes;
    }

    private static long MeasureSteps()
    {
        var plugin = new TestPlugin("alloc-steps").On(KongPhase.Access, async (kong, ct) =>
        {
            while (true) await kong.Response.SetHeaderAsync("x-bench", "constant value", ct);
        });
        var server = new PluginServer([plugin], new KongServerOptions(), new ServerLog("alloc-steps", KongLogLevel.None));
        var instance = new PluginInstance(7, plugin, plugin.CreateInstance("{}"u8), 0);
        var connection = new BufferConnection(server);
        EventCore ev = server.Events.Rent(server);
        if (!instance.TryBeginEvent()) throw new InvalidOperationException("a new instance admits events");
        ev.Reset(instance, KongPhase.Access);
        server.Events.Add(ev);
        ev.Start(connection, 1);

        long msgId = 1;
        long Steps(int count)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < count; i++)
            {
                if (!ev.Resume(ev.Id, connection, ++msgId, PdkResultKind.Nil, default)) throw new InvalidOperationException("the event does not wait for a step");
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Steps(1_000);
        long bytes = Steps(1_000);
        Assert.Equal(1 + 2_000, connection.Replies); // the first call, then every Step answered with the next one
        ev.Abandon(KongEventEndReason.ShuttingDown, logIt: false);
        return bytes;
    }

    private static long MeasureInterleavedSteps(int count)
    {
        var plugin = new TestPlugin("alloc-interleaved").On(KongPhase.Access, async (kong, ct) =>
        {
            while (true)
            {
                string? host = await kong.Request.GetHeaderAsync("host", ct);
                string path = await kong.Request.GetRawBodyStringAsync(ct);
                await kong.Response.SetHeaderAsync("x-bench", host ?? path, ct);
            }
        });
        var server = new PluginServer([plugin], new KongServerOptions(), new ServerLog("alloc-interleaved", KongLogLevel.None));
        var instance = new PluginInstance(7, plugin, plugin.CreateInstance("{}"u8), 0);
        var connection = new BufferConnection(server);
        var events = new EventCore[count];
        for (int i = 0; i < count; i++)
        {
            EventCore ev = server.Events.Rent(server);
            if (!instance.TryBeginEvent()) throw new InvalidOperationException("the instance admits the event");
            ev.Reset(instance, KongPhase.Access);
            server.Events.Add(ev);
            ev.Start(connection, i + 1);
            events[i] = ev;
        }

        long msgId = count;
        long Rounds(int rounds)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int r = 0; r < rounds; r++)
            {
                foreach (EventCore ev in events)
                {
                    if (!ev.Resume(ev.Id, connection, ++msgId, PdkResultKind.Nil, default)) throw new InvalidOperationException("the event does not wait for a step");
                }
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        int roundsOfThousand = (1_000 + count - 1) / count;
        Rounds(roundsOfThousand);
        long bytes = Rounds(roundsOfThousand);
        Assert.Equal(count + (2 * roundsOfThousand * count), connection.Replies); // every event's first call, then every Step answered
        foreach (EventCore ev in events) ev.Abandon(KongEventEndReason.ShuttingDown, logIt: false);
        return bytes;
    }

    /// <summary>Where the event's answers go: a pooled buffer, cleared at each answer.</summary>
    private sealed class BufferConnection(PluginServer server)
        : PluginConnection(1, new RpcFramer(server.Options.MaxMessageSize, server.Options.MaxNestingDepth))
    {
        private readonly PooledBufferWriter _output = new();

        public int Replies { get; private set; }

        internal override Socket Socket => throw new NotSupportedException();

        public override IBufferWriter<byte> Output => _output;

        public override Task RunAsync(CancellationToken stopToken) => Task.CompletedTask;

        internal override void ExpectEventReply()
        {
        }

        internal override void CompleteReply()
        {
            Replies++;
            _output.Clear();
        }

        internal override void Abort()
        {
        }
    }

    /// <summary>A tracer sampling every span and a meter listener on every instrument, both doing nothing.</summary>
    private sealed class SilentListeners : IDisposable
    {
        private readonly System.Diagnostics.ActivityListener _activities = new()
        {
            ShouldListenTo = source => source.Name == KongDiagnostics.ActivitySourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };

        private readonly System.Diagnostics.Metrics.MeterListener _meters = new()
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KongDiagnostics.MeterName) listener.EnableMeasurementEvents(instrument);
            },
        };

        public SilentListeners()
        {
            System.Diagnostics.ActivitySource.AddActivityListener(_activities);
            _meters.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _meters.Start();
        }

        public void Dispose()
        {
            _activities.Dispose();
            _meters.Dispose();
        }
    }
}
