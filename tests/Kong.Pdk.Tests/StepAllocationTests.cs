using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Kong.Pdk.Hosting;
using Kong.Pdk.Pdk;
using Kong.Pdk.Protocol;
using Kong.Pdk.Server;
using MessagePack;

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

    /// <summary>
    /// The same with every other kind of result: interleaved handlers read a bool, an int, a double, a
    /// <see cref="KongValue"/> (<see cref="IKong.CallAsync(string, KongValue[])"/>), a header map and a consumer, Kong
    /// answering each with a real value. A step allocates exactly what the value handed to the handler is made of
    /// (nothing for bool, int and double; the value, the map or the entity otherwise, measured by decoding the same
    /// answers on the same thread) plus the method name <c>CallAsync</c> encodes per call, and no state machine.
    /// </summary>
    [Fact]
    public void SteadyStateSteps_OfManyInterleavedEvents_WithEveryResultKind_AllocateOnlyTheValuesReceived()
    {
        (long bytes, long loops) = Measure(() => MeasureInterleavedSteps(64, TypedCalls.Handler, TypedCalls.Answers));
        Assert.Equal(TypedCalls.ValueBytesPerLoop() * loops, bytes);
    }

    private static long BytesPerThousandSteps(int events = 1)
        => Measure(() => events == 1 ? (MeasureSteps(), 0) : MeasureInterleavedSteps(events, StringCallsHandler, [default])).Bytes;

    /// <summary>On a thread of its own: without xunit's synchronization context, the handler resumes inline.</summary>
    private static (long Bytes, long Loops) Measure(Func<(long Bytes, long Loops)> measure)
    {
        (long, long) result = (-1, 0);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = measure();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the measurement finished");
        if (failure is not null) throw new InvalidOperationException("the measurement failed", failure);
        return result;
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

    private static async ValueTask StringCallsHandler(IKong kong, CancellationToken ct)
    {
        while (true)
        {
            string? host = await kong.Request.GetHeaderAsync("host", ct);
            string path = await kong.Request.GetRawBodyStringAsync(ct);
            await kong.Response.SetHeaderAsync("x-bench", host ?? path, ct);
        }
    }

    /// <summary>
    /// <paramref name="count"/> events run <paramref name="handler"/>, a loop of <paramref name="answers"/>.Length
    /// PDK calls; each round resumes every event once, all in step, so the round's answer
    /// (<c>default</c>: no Data) is the one for the call every event waits on.
    /// </summary>
    /// <returns>The bytes allocated by the measured rounds, and how many loops of calls they made.</returns>
    private static (long Bytes, long Loops) MeasureInterleavedSteps(int count, Func<IKong, CancellationToken, ValueTask> handler, ReadOnlySequence<byte>[] answers)
    {
        var plugin = new TestPlugin("alloc-interleaved").On(KongPhase.Access, handler);
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
                ReadOnlySequence<byte> data = answers[r % answers.Length];
                PdkResultKind kind = data.IsEmpty ? PdkResultKind.Nil : PdkResultKind.Value;
                foreach (EventCore ev in events)
                {
                    if (!ev.Resume(ev.Id, connection, ++msgId, kind, data)) throw new InvalidOperationException("the event does not wait for a step");
                }
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        int loops = (1_000 + (count * answers.Length) - 1) / (count * answers.Length); // at least a thousand steps
        int rounds = loops * answers.Length;
        Rounds(rounds);
        long bytes = Rounds(rounds);
        Assert.Equal(count + (2 * rounds * count), connection.Replies); // every event's first call, then every Step answered
        foreach (EventCore ev in events) ev.Abandon(KongEventEndReason.ShuttingDown, logIt: false);
        return (bytes, (long)loops * count);
    }

    /// <summary>A loop of one call per result kind other than strings, with Kong's answer to each.</summary>
    private static class TypedCalls
    {
        private const string EscapeHatchMethod = "kong.request.get_body";

        /// <summary>Kong's answers, in the order <see cref="Handler"/> makes its calls.</summary>
        public static readonly ReadOnlySequence<byte>[] Answers =
        [
            Encode(static (ref MessagePackWriter w) => w.Write(true)), // kong.ip.is_trusted
            Encode(static (ref MessagePackWriter w) => w.Write(8443)), // kong.client.get_port
            Encode(static (ref MessagePackWriter w) => w.Write(1_733_250_000_123.5)), // kong.request.get_start_time
            Encode(static (ref MessagePackWriter w) => // kong.request.get_body through CallAsync
            {
                w.WriteMapHeader(1);
                w.Write("answer");
                w.Write(42);
            }),
            Encode(static (ref MessagePackWriter w) => // kong.request.get_headers
            {
                w.WriteMapHeader(2);
                w.Write("host");
                w.Write("example.com");
                w.Write("accept");
                w.WriteArrayHeader(2);
                w.Write("text/html");
                w.Write("*/*");
            }),
            Encode(static (ref MessagePackWriter w) => // kong.client.get_consumer
            {
                w.WriteMapHeader(2);
                w.Write("id");
                w.Write("5a4b3c2d-0000-4000-8000-000000000001");
                w.Write("username");
                w.Write("alice");
            }),
        ];

        private delegate void Writer(ref MessagePackWriter writer);

        public static async ValueTask Handler(IKong kong, CancellationToken ct)
        {
            while (true)
            {
                bool trusted = await kong.Ip.IsTrustedAsync("10.0.0.1", ct);
                int port = await kong.Client.GetPortAsync(ct);
                double start = await kong.Request.GetStartTimeAsync(ct);
                KongValue body = await kong.CallAsync(EscapeHatchMethod);
                KongMultiMap headers = await kong.Request.GetHeadersAsync(ct);
                KongConsumer? consumer = await kong.Client.GetConsumerAsync(ct);
                if (!trusted || port != 8443 || start != 1_733_250_000_123.5 || body["answer"].AsInt64() != 42
                    || headers.GetFirst("host") != "example.com" || consumer?.Username != "alice")
                {
                    throw new InvalidOperationException("a call decoded its answer wrongly");
                }
            }
        }

        /// <summary>What one loop's values are made of: the same answers decoded on this thread, plus the method name
        /// CallAsync encodes per call (after a warm-up, over a thousand loops, so the figure is exact).</summary>
        public static long ValueBytesPerLoop()
        {
            byte[] method = Encoding.UTF8.GetBytes(EscapeHatchMethod);
            long DecodeLoops(int loops)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < loops; i++)
                {
                    _ = Encoding.UTF8.GetBytes(EscapeHatchMethod);
                    _ = PdkDecode.ReadValue(Result(3));
                    var headers = new MessagePackReader(Answers[4]);
                    _ = KongMultiMap.Read(ref headers, ignoreCase: true);
                    _ = KongConsumer.From(PdkDecode.ReadValue(Result(5)));
                }

                return GC.GetAllocatedBytesForCurrentThread() - before;
            }

            PdkResult Result(int call) => new(method, PdkResultKind.Value, Answers[call].First);

            DecodeLoops(100);
            long bytes = DecodeLoops(1_000);
            Assert.Equal(0, bytes % 1_000);
            return bytes / 1_000;
        }

        private static ReadOnlySequence<byte> Encode(Writer write)
        {
            var output = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(output);
            write(ref writer);
            writer.Flush();
            return new ReadOnlySequence<byte>(output.WrittenMemory);
        }
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
