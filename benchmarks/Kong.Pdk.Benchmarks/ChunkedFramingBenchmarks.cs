using System.Buffers;
using BenchmarkDotNet.Attributes;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.Benchmarks;

/// <summary>
/// Framing one large message that arrives in 4 KiB receives: the connection's framer resumes where the last receive
/// stopped (<c>Resumed</c>); <c>FromScratch</c> walks the message from its start on every receive, as the framer did
/// before (kept for comparison). <c>Body15MiB</c> is a step carrying a 15 MiB string (kong.request.get_raw_body);
/// <c>Headers1MiB</c> a step carrying a 1 MiB map of small entries, where the walk visits every element. Each is
/// framed over one growing array, as both connection modes receive.
/// </summary>
[MemoryDiagnoser]
public class ChunkedFramingBenchmarks
{
    private const int Chunk = 4096;
    private byte[] _message = [];
    private RpcFramer _framer = null!;

    [Params("Body15MiB", "Headers1MiB")]
    public string Shape { get; set; } = "Body15MiB";

    [GlobalSetup]
    public void Setup()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(4);
        writer.Write(0);
        writer.Write(7);
        writer.Write("plugin.Step");
        writer.WriteArrayHeader(1);
        writer.WriteMapHeader(2);
        writer.Write("EventId");
        writer.Write(1);
        writer.Write("Data");
        if (Shape == "Body15MiB")
        {
            writer.Write(new string('b', 15 << 20));
        }
        else
        {
            const int entries = (1 << 20) / 16;
            writer.WriteMapHeader(entries);
            for (int i = 0; i < entries; i++)
            {
                writer.Write("x-h" + (i % 1000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
                writer.Write("value");
            }
        }

        writer.Flush();
        _message = output.WrittenSpan.ToArray();
        _framer = new RpcFramer(32 << 20, 64);
    }

    [Benchmark(Baseline = true)]
    public long ArrayResumed()
    {
        long length = 0;
        for (int received = Chunk; ; received = Math.Min(received + Chunk, _message.Length))
        {
            if (_framer.Find(new ReadOnlySequence<byte>(_message, 0, received), out length) == FrameStatus.Complete) return length;
        }
    }

    [Benchmark]
    public long ArrayFromScratch()
    {
        long length = 0;
        for (int received = Chunk; ; received = Math.Min(received + Chunk, _message.Length))
        {
            if (RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(_message, 0, received), 32 << 20, 64, out length) == FrameStatus.Complete) return length;
        }
    }
}
