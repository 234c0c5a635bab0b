using System.Buffers;
using System.Net.Sockets;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Kong.Pdk.Hosting;
using Kong.Pdk.Protocol;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk.Benchmarks;

/// <summary>A plugin that makes <c>calls</c> (config) set_header calls with constant strings: its PDK calls hand
/// nothing to user code, so what an event allocates is the server's own cost.</summary>
public sealed class StepsPlugin : IKongPluginInstance
{
    public static KongPluginDescriptor Descriptor { get; } = new StepsDescriptor();

    private int _calls = 1;

    public async ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken)
    {
        for (int i = 0; i < _calls; i++)
        {
            await kong.Response.SetHeaderAsync("x-bench", "constant value", cancellationToken);
        }
    }

    private sealed class StepsDescriptor : KongPluginDescriptor
    {
        public override string Name => "bench-steps";
        public override string Version => "0.1.0";
        public override int Priority => 1;
        public override IReadOnlyList<KongPhase> Phases { get; } = [KongPhase.Access];
        public override string SchemaJson => """{"name":"bench-steps","fields":[{"config":{"type":"record","fields":[]}}]}""";

        public override IKongPluginInstance CreateInstance(ReadOnlySpan<byte> configJson)
        {
            using JsonDocument doc = JsonDocument.Parse(configJson.ToArray());
            return new StepsPlugin { _calls = doc.RootElement.TryGetProperty("calls", out JsonElement c) ? c.GetInt32() : 1 };
        }
    }
}

/// <summary>
/// The in-process server on a real Unix socket, driven by a blocking, allocation-free client that plays Kong:
/// one benchmark operation is one whole event (HandleEvent, one Step per PDK call, "ret").
/// </summary>
public sealed class InProcessKong : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"kong-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.socket");
    private readonly CancellationTokenSource _stop = new();
    private readonly Task? _server;
    private readonly Socket _socket;
    private readonly byte[] _in = new byte[64 * 1024];
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private int _start, _end;
    private long _msgId;

    /// <summary>The connection mode of the servers made from now on (<c>--mode thread|loop</c> of --alloc and --gc).</summary>
    public static KongConnectionMode Mode { get; set; } = KongConnectionMode.Thread;

    public InProcessKong()
    {
        var options = new KongServerOptions { LogLevel = KongLogLevel.None, ConnectionMode = Mode };
        var server = new PluginServer([HelloPlugin.HelloPlugin.Descriptor, StepsPlugin.Descriptor, TypedCallsPlugin.Descriptor], options, new ServerLog("bench", KongLogLevel.None));
        Socket listener = server.Bind(_path);
        _server = server.RunAsync(listener, _path, _stop.Token);
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(_path));
        HelloInstance = StartInstance("hello-dotnet", """{"message":"hello","__seq__":7}""");
        OneCallInstance = StartInstance("bench-steps", """{"calls":1,"__seq__":8}""");
        TenCallInstance = StartInstance("bench-steps", """{"calls":10,"__seq__":9}""");
        TypedInstance = StartInstance("bench-typed", """{"__seq__":10}""");
    }

    /// <summary>One more connection to <paramref name="shared"/>'s server (which it does not own), for concurrent clients.</summary>
    public InProcessKong(InProcessKong shared)
    {
        _path = shared._path;
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(_path));
        HelloInstance = shared.HelloInstance;
        OneCallInstance = shared.OneCallInstance;
        TenCallInstance = shared.TenCallInstance;
        TypedInstance = shared.TypedInstance;
    }

    public int HelloInstance { get; }

    public int OneCallInstance { get; }

    public int TenCallInstance { get; }

    /// <summary>An instance of <see cref="TypedCallsPlugin"/>.</summary>
    public int TypedInstance { get; }

    private int StartInstance(string name, string config)
    {
        MessagePackWriter w = Begin("plugin.StartInstance"u8);
        w.WriteMapHeader(2);
        w.WriteString("Name"u8);
        w.Write(name);
        w.WriteString("Config"u8);
        w.Write(config);
        var r = new MessagePackReader(Call(ref w));
        r.ReadArrayHeader();
        r.ReadInt64();
        r.ReadInt64();
        if (!r.TryReadNil()) throw new InvalidOperationException("StartInstance failed: " + r.ReadString());
        int keys = r.ReadMapHeader();
        for (int i = 0; i < keys; i++)
        {
            if (r.ReadString() == "Id") return r.ReadInt32();
            r.Skip();
        }

        throw new InvalidOperationException("no Id");
    }

    /// <summary>One event; answers get_header with "example.com" and everything else with no Data. Returns the number of round trips.</summary>
    public int RunEvent(int instanceId)
    {
        MessagePackWriter w = Begin("plugin.HandleEvent"u8);
        w.WriteMapHeader(2);
        w.WriteString("InstanceId"u8);
        w.Write(instanceId);
        w.WriteString("EventName"u8);
        w.WriteString("access"u8);
        ReadOnlyMemory<byte> answer = Call(ref w);
        int eventId = ReadAnswer(answer, out bool ret, out bool wantsValue);
        int trips = 1;
        while (!ret)
        {
            w = Begin("plugin.Step"u8);
            w.WriteMapHeader(wantsValue ? 2 : 1);
            w.WriteString("EventId"u8);
            w.Write(eventId);
            if (wantsValue)
            {
                w.WriteString("Data"u8);
                w.WriteString("example.com"u8);
            }

            answer = Call(ref w);
            ReadAnswer(answer, out ret, out wantsValue);
            trips++;
        }

        return trips;
    }

    private MessagePackWriter Begin(ReadOnlySpan<byte> method)
    {
        _out.ResetWrittenCount();
        var w = new MessagePackWriter(_out);
        w.WriteArrayHeader(4);
        w.Write(0);
        w.Write(++_msgId);
        w.WriteString(method);
        w.WriteArrayHeader(1);
        return w;
    }

    private ReadOnlyMemory<byte> Call(ref MessagePackWriter w)
    {
        w.Flush();
        _socket.Send(_out.WrittenSpan);
        while (true)
        {
            if (_end > _start
                && RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(_in, _start, _end - _start), 1 << 20, 64, out long length) == FrameStatus.Complete)
            {
                var message = new ReadOnlyMemory<byte>(_in, _start, (int)length);
                _start += (int)length;
                if (message.Span[1] == 0x02) continue; // serverPid
                if (_start == _end) _start = _end = 0;
                return message;
            }

            if (_start > 0 && _start == _end) _start = _end = 0;
            int n = _socket.Receive(_in, _end, _in.Length - _end, SocketFlags.None);
            if (n == 0) throw new InvalidOperationException("server closed the connection");
            _end += n;
        }
    }

    private static int ReadAnswer(ReadOnlyMemory<byte> message, out bool ret, out bool wantsValue)
    {
        var r = new MessagePackReader(message);
        r.ReadArrayHeader();
        r.ReadInt64();
        r.ReadInt64();
        if (!r.TryReadNil()) throw new InvalidOperationException("RPC error: " + r.ReadString());
        int keys = r.ReadMapHeader();
        int eventId = -1;
        ret = false;
        wantsValue = false;
        for (int i = 0; i < keys; i++)
        {
            ReadOnlySpan<byte> key = r.ReadStringSequence()!.Value.FirstSpan;
            if (key.SequenceEqual("EventId"u8))
            {
                eventId = r.ReadInt32();
            }
            else if (key.SequenceEqual("Data"u8))
            {
                if (r.NextMessagePackType == MessagePackType.String)
                {
                    ret = r.ReadStringSequence()!.Value.FirstSpan.SequenceEqual("ret"u8);
                    if (!ret) throw new InvalidOperationException("Data is a string other than ret");
                }
                else
                {
                    int callKeys = r.ReadMapHeader();
                    for (int k = 0; k < callKeys; k++)
                    {
                        bool isMethod = r.ReadStringSequence()!.Value.FirstSpan.SequenceEqual("Method"u8);
                        if (isMethod) wantsValue = r.ReadStringSequence()!.Value.FirstSpan.SequenceEqual("kong.request.get_header"u8);
                        else r.Skip();
                    }
                }
            }
            else
            {
                r.Skip();
            }
        }

        return eventId;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _stop.Cancel();
        _server?.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}

/// <summary>Whole events through the in-process server. Allocated bytes are process-wide (server threads
/// included). HelloEvent allocates the user's values (the host string, the interpolated header value);
/// StepsPlugin hands nothing to user code, so (TenCallEvent - OneCallEvent) / 9 is the server's cost per Step.</summary>
[MemoryDiagnoser]
public class RoundTripBenchmarks
{
    private InProcessKong _kong = null!;

    [GlobalSetup]
    public void Setup() => _kong = new InProcessKong();

    [GlobalCleanup]
    public void Cleanup() => _kong.Dispose();

    [Benchmark(Description = "HelloPlugin event (3 round trips)")]
    public int HelloEvent() => _kong.RunEvent(_kong.HelloInstance);

    [Benchmark(Description = "1 set_header event (2 round trips)")]
    public int OneCallEvent() => _kong.RunEvent(_kong.OneCallInstance);

    [Benchmark(Description = "10 set_header event (11 round trips)")]
    public int TenCallEvent() => _kong.RunEvent(_kong.TenCallInstance);
}
