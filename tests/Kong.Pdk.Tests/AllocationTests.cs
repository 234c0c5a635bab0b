using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Kong.Pdk.Hosting;
using Kong.Pdk.Protocol;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk.Tests;

/// <summary>
/// The hot path allocates nothing: framing a message, recognising its method, reading a step's keys and writing
/// an answer (STYLE.md §5). Measured on the current thread after a warm-up; the whole-server figure (bytes per
/// Step over a real socket) is benchmarks/Kong.Pdk.Benchmarks --alloc.
/// </summary>
[Collection("allocations")]
public sealed class AllocationTests
{
    private static readonly byte[] Step = TestSupport.Mp.Hex("94 00 03 AB 706c7567696e2e53746570 91 82 A7 4576656e744964 01 A4 44617461 AB 6578616d706c652e636f6d");

    [Fact]
    public void FramingAndMethodDispatch_OfAGoldenStep_AllocateNothing()
    {
        int steps = 0;
        long Run()
        {
            Span<byte> scratch = stackalloc byte[64];
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++)
            {
                var sequence = new ReadOnlySequence<byte>(Step);
                if (RpcFramer.TryFindMessage(sequence, 1 << 20, 64, out long length) != FrameStatus.Complete) continue;
                var reader = new MessagePackReader(sequence.Slice(0, length));
                reader.ReadArrayHeader();
                reader.ReadInt64();
                reader.ReadInt64();
                int n = MsgPackRead.ReadKey(ref reader, scratch);
                if (RpcMethodNames.Parse(scratch[..n]) == RpcMethod.Step) steps++;
                reader.ReadArrayHeader();
                MsgPackRead.TryReadMapHeader(ref reader, out int keys);
                for (int k = 0; k < keys; k++)
                {
                    MsgPackRead.ReadKey(ref reader, scratch);
                    reader.Skip();
                }
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Run();
        Assert.Equal(0, Run());
        Assert.Equal(2_000, steps);
    }

    [Fact]
    public void WritingAnEventCallAndARet_IntoAPooledBuffer_AllocatesNothing()
    {
        using var output = new PooledBufferWriter();
        byte[] call = TestSupport.Mp.Encode(TestSupport.Mp.Map("Method", "kong.request.get_header", "Args", new object?[] { "host" }));
        long Run()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++)
            {
                output.Clear();
                RpcWriter.WriteEventCall(output, i, 7, call);
                RpcWriter.WriteEventReturn(output, i, 7);
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Run();
        Assert.Equal(0, Run());
        Assert.True(output.WrittenCount > 0);
    }

    /// <summary>A whole event of the HelloPlugin shape (HandleEvent, get_header answered with nil, set_header with
    /// constant strings, "ret") through the dispatcher on this thread: the event's core is pooled and the PDK modules
    /// are structs, so what remains is the 24 B <see cref="IKong"/> handle (issue #13: ≤ 64 B fixed per event). The
    /// handler's own state machine is pooled here (PoolingAsyncValueTaskMethodBuilder), as a plugin author may
    /// choose to.</summary>
    [Fact]
    public void WholeEvent_GetHeaderAndSetHeader_AllocatesOnlyTheHandle()
    {
        double perEvent = BytesPerEvent(HelloShapedAsync, steps: 2);
        Assert.True(perEvent <= 24, $"{perEvent} B per event (expected only the 24 B handle)");
    }

    /// <summary>Touching every PDK module (kong.Request, kong.Response, kong.Client.Tls, kong.Service.Request, ...)
    /// allocates nothing: an event whose handler takes them all costs what an event whose handler touches none costs,
    /// the handle.</summary>
    [Fact]
    public void WholeEvent_TouchingEveryPdkModule_AllocatesNothingBeyondTheHandle()
    {
        double none = BytesPerEvent(static (_, _) => ValueTask.CompletedTask, steps: 0);
        double every = BytesPerEvent(TouchEveryModule, steps: 0);
        Assert.True(none <= 24, $"{none} B per event without modules (expected only the 24 B handle)");
        Assert.Equal(none, every);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask HelloShapedAsync(IKong kong, CancellationToken ct)
    {
        string? host = await kong.Request.GetHeaderAsync("host", ct);
        await kong.Response.SetHeaderAsync("x-hello", host ?? "nobody", ct);
    }

    private static ValueTask TouchEveryModule(IKong kong, CancellationToken ct)
    {
        ModuleSink.Keep(kong);
        return ValueTask.CompletedTask;
    }

    /// <summary>Bytes allocated per event on this thread, the test plugin's access handler answered
    /// <paramref name="steps"/> times with nil.</summary>
    private static double BytesPerEvent(Func<IKong, CancellationToken, ValueTask> handler, int steps)
    {
        var plugin = new TestPlugin("alloc").On(KongPhase.Access, handler);
        // The handler's continuations run inline only without a synchronization context (the test runner sets one).
        SynchronizationContext? context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return RunOnThisThread(plugin, steps);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    private static double RunOnThisThread(TestPlugin plugin, int steps)
    {
        var options = new KongServerOptions();
        var server = new PluginServer([plugin], options, new ServerLog("alloc", KongLogLevel.Warn, TextWriter.Null));
        var connection = new InlineConnection();
        Assert.Equal(RequestOutcome.Answered, server.Dispatcher.Process(connection, new ReadOnlySequence<byte>(Message(0, "plugin.StartInstance", TestSupport.Mp.Map("Name", "alloc", "Config", "{}")))));
        long instanceId = server.Instances.Snapshot().Single().Id;
        byte[] handleEvent = Message(1, "plugin.HandleEvent", TestSupport.Mp.Map("InstanceId", instanceId, "EventName", "access"));

        void RunEvents(int count)
        {
            for (int i = 0; i < count; i++)
            {
                connection.Clear();
                server.Dispatcher.Process(connection, new ReadOnlySequence<byte>(handleEvent));
                int eventId = connection.EventId();
                for (int step = 0; step < steps; step++)
                {
                    connection.Clear();
                    server.Dispatcher.Process(connection, new ReadOnlySequence<byte>(connection.StepFor(eventId)));
                }
            }
        }

        RunEvents(2_000);
        Assert.True(connection.LastWasReturn, "the event ended with ret");
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunEvents(1_000);
        double perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / 1_000.0;
        Assert.True(connection.LastWasReturn, "the event ended with ret");
        Assert.Equal(0, server.Events.Count);
        return perEvent;
    }

    private static byte[] Message(long msgId, string method, object? param)
        => TestSupport.Mp.Encode(new object?[] { 0L, msgId, method, new object?[] { param } });

    /// <summary>A connection answered on the calling thread: what the dispatcher and the event write is kept, and a
    /// step for the event's pending call is made from it (with a fixed buffer, so the test allocates nothing itself).</summary>
    private sealed class InlineConnection : PluginConnection
    {
        private readonly PooledBufferWriter _output = new();
        private readonly byte[] _step = new byte[64];
        private readonly FixedWriter _stepWriter;

        public InlineConnection()
            : base(1, new RpcFramer(1 << 20, 64)) => _stepWriter = new FixedWriter(_step);

        internal override Socket Socket => throw new NotSupportedException();

        public override IBufferWriter<byte> Output => _output;

        public bool LastWasReturn => _output.WrittenSpan.IndexOf("ret"u8) >= 0;

        public void Clear() => _output.Clear();

        /// <summary>The EventId of the answer written (its result map: {"EventId": n, "Data": ...}).</summary>
        public int EventId()
        {
            var reader = new MessagePackReader(_output.WrittenMemory);
            reader.ReadArrayHeader();
            reader.ReadInt32();
            reader.ReadInt64();
            reader.Skip();
            reader.ReadMapHeader();
            reader.Skip(); // "EventId", the first key (kong-protocol.md §4.9)
            return reader.ReadInt32();
        }

        /// <summary><c>[0, 2, "plugin.Step", [{"EventId": id}]]</c>: a step without Data (nil).</summary>
        public byte[] StepFor(int eventId)
        {
            _stepWriter.Reset();
            var writer = new MessagePackWriter(_stepWriter);
            writer.WriteArrayHeader(4);
            writer.Write(0);
            writer.Write(2);
            writer.WriteString("plugin.Step"u8);
            writer.WriteArrayHeader(1);
            writer.WriteMapHeader(1);
            writer.WriteString("EventId"u8);
            writer.Write(eventId);
            writer.Flush();
            return _step;
        }

        public override Task RunAsync(CancellationToken stopToken) => throw new NotSupportedException();

        internal override void ExpectEventReply()
        {
        }

        internal override void CompleteReply()
        {
        }

        internal override void Abort()
        {
        }
    }

    /// <summary>Writes into a fixed array (the trailing bytes left over are never read: the framer is not used).</summary>
    private sealed class FixedWriter(byte[] target) : IBufferWriter<byte>
    {
        private int _written;

        public void Reset() => _written = 0;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => target.AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => target.AsSpan(_written);
    }

    /// <summary>Where <see cref="TouchEveryModule"/> keeps every module value, so that none is optimized away (static
    /// fields of the struct types: storing one copies the handle, it allocates nothing).</summary>
    private static class ModuleSink
    {
        private static KongRequest s_request;
        private static KongResponse s_response;
        private static KongLog s_log;
        private static KongClient s_client;
        private static KongClientTls s_tls;
        private static KongCtx s_ctx;
        private static KongCtxShared s_shared;
        private static KongIp s_ip;
        private static KongNginx s_nginx;
        private static KongNode s_node;
        private static KongPluginModule s_plugin;
        private static KongCluster s_cluster;
        private static KongRouter s_router;
        private static KongService s_service;
        private static KongServiceRequest s_serviceRequest;
        private static KongServiceResponse s_serviceResponse;
        private static KongVault s_vault;
        private static KongTelemetry s_telemetry;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Keep(IKong kong)
        {
            s_request = kong.Request;
            s_response = kong.Response;
            s_log = kong.Log;
            s_client = kong.Client;
            s_tls = kong.Client.Tls;
            s_ctx = kong.Ctx;
            s_shared = kong.Ctx.Shared;
            s_ip = kong.Ip;
            s_nginx = kong.Nginx;
            s_node = kong.Node;
            s_plugin = kong.Plugin;
            s_cluster = kong.Cluster;
            s_router = kong.Router;
            s_service = kong.Service;
            s_serviceRequest = kong.Service.Request;
            s_serviceResponse = kong.Service.Response;
            s_vault = kong.Vault;
            s_telemetry = kong.Telemetry;
        }
    }
}
