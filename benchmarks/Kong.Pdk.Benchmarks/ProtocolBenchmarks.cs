using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Kong.Pdk.Hosting;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.Benchmarks;

/// <summary>RpcFramer on golden messages: finding the end of one MsgPack:1 message.</summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private readonly ReadOnlySequence<byte> _handle = Golden.Seq(Golden.HandleEvent);
    private readonly ReadOnlySequence<byte> _step = Golden.Seq(Golden.StepWithData);
    private readonly ReadOnlySequence<byte> _start = Golden.Seq(Golden.StartInstance);
    private readonly ReadOnlySequence<byte> _partial = Golden.Seq(Golden.StepWithData[..^3]);

    [Benchmark]
    public long FrameHandleEvent() => RpcFramer.TryFindMessage(_handle, 16 << 20, 64, out long n) == FrameStatus.Complete ? n : -1;

    [Benchmark]
    public long FrameStep() => RpcFramer.TryFindMessage(_step, 16 << 20, 64, out long n) == FrameStatus.Complete ? n : -1;

    [Benchmark]
    public long FrameStartInstance() => RpcFramer.TryFindMessage(_start, 16 << 20, 64, out long n) == FrameStatus.Complete ? n : -1;

    [Benchmark]
    public int FramePartialStep() => (int)RpcFramer.TryFindMessage(_partial, 16 << 20, 64, out _);
}

/// <summary>Decoding a HandleEvent and a Step request the way RequestDispatcher does (method by name, params map
/// keys into stack scratch, the Step Data sliced without copying).</summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private readonly ReadOnlySequence<byte> _handle = Golden.Seq(Golden.HandleEvent);
    private readonly ReadOnlySequence<byte> _step = Golden.Seq(Golden.StepWithData);

    [Benchmark]
    public long DecodeHandleEvent()
    {
        var reader = new MessagePackReader(_handle);
        RpcMethod method = ReadHeader(ref reader, out long msgId);
        MsgPackRead.TryReadMapHeader(ref reader, out int keys);
        Span<byte> scratch = stackalloc byte[32];
        Span<byte> nameScratch = stackalloc byte[32];
        long instance = -1;
        KongPhase phase = default;
        for (int i = 0; i < keys; i++)
        {
            int k = MsgPackRead.ReadKey(ref reader, scratch);
            ReadOnlySpan<byte> key = scratch[..Math.Max(k, 0)];
            if (key.SequenceEqual("InstanceId"u8)) instance = MsgPackRead.ReadInt64Lenient(ref reader);
            else if (key.SequenceEqual("EventName"u8))
            {
                int n = MsgPackRead.ReadKey(ref reader, nameScratch);
                KongPhaseNames.TryParse(nameScratch[..Math.Max(n, 0)], out phase);
            }
            else reader.Skip();
        }

        return instance + msgId + (int)method + (int)phase;
    }

    [Benchmark]
    public long DecodeStep()
    {
        var reader = new MessagePackReader(_step);
        RpcMethod method = ReadHeader(ref reader, out long msgId);
        MsgPackRead.TryReadMapHeader(ref reader, out int keys);
        Span<byte> scratch = stackalloc byte[16];
        long eventId = -1;
        ReadOnlySequence<byte> data = default;
        for (int i = 0; i < keys; i++)
        {
            int k = MsgPackRead.ReadKey(ref reader, scratch);
            ReadOnlySpan<byte> key = scratch[..Math.Max(k, 0)];
            if (key.SequenceEqual("EventId"u8)) eventId = MsgPackRead.ReadInt64Lenient(ref reader);
            else if (key.SequenceEqual("Data"u8))
            {
                SequencePosition start = reader.Position;
                reader.Skip();
                data = _step.Slice(start, reader.Position);
            }
            else reader.Skip();
        }

        return eventId + msgId + (int)method + data.Length;
    }

    private static RpcMethod ReadHeader(ref MessagePackReader reader, out long msgId)
    {
        reader.ReadArrayHeader();
        reader.ReadInt64();
        msgId = reader.ReadInt64();
        Span<byte> scratch = stackalloc byte[64];
        int n = MsgPackRead.ReadKey(ref reader, scratch);
        RpcMethod method = RpcMethodNames.Parse(scratch[..n]);
        reader.ReadArrayHeader();
        return method;
    }
}

/// <summary>Encoding a PDK call as KongEvent does (the call map into the event's buffer), then the answer
/// around it (RpcWriter.WriteEventCall), and the "ret" answer.</summary>
[MemoryDiagnoser]
public class EncodeBenchmarks
{
    private static readonly byte[] Method = Encoding.UTF8.GetBytes("kong.response.set_header");
    private readonly ArrayBufferWriter<byte> _call = new(256);
    private readonly ArrayBufferWriter<byte> _output = new(4096);

    [Benchmark]
    public int EncodeSetHeaderCall()
    {
        _call.ResetWrittenCount();
        _output.ResetWrittenCount();
        var writer = new MessagePackWriter(_call);
        writer.WriteMapHeader(2);
        writer.WriteString("Method"u8);
        writer.WriteString(Method);
        writer.WriteString("Args"u8);
        writer.WriteArrayHeader(2);
        writer.Write("x-hello-from-dotnet");
        writer.Write("Dotnet says hello to example.com");
        writer.Flush();
        RpcWriter.WriteEventCall(_output, 12345, 42, _call.WrittenSpan);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int EncodeReturn()
    {
        _output.ResetWrittenCount();
        RpcWriter.WriteEventReturn(_output, 12345, 42);
        return _output.WrittenCount;
    }
}

/// <summary>Config binding (HelloPlugin's descriptor turning the Config JSON into an instance) and <c>-dump</c>.</summary>
[MemoryDiagnoser]
public class HostBenchmarks
{
    private static readonly KongPluginDescriptor Hello = HelloPlugin.HelloPlugin.Descriptor;
    private static readonly KongPluginDescriptor[] Plugins = [Hello];
    private readonly byte[] _config = Encoding.UTF8.GetBytes(
        """{"message":"hello","route_id":"8a1e6c2b-0d0c-4f4a-9d7e-1f2a3b4c5d6e","__plugin_id":"6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b","__ws_id":"0dc6f45b-8f8d-40d2-a504-473544ee190b","__key__":"plugins:hello-dotnet:8a1e:::0dc6","__seq__":17}""");

    [Benchmark]
    public object BindConfig() => Hello.CreateInstance(_config);

    [Benchmark]
    public int Dump() => PluginDump.Write(Plugins).Length;
}
