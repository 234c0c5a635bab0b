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
/// framed over one growing array (thread mode) and over 4 KiB segments (async mode, a pipe).
/// </summary>
[MemoryDiagnoser]
public class ChunkedFramingBenchmarks
{
    private const int Chunk = 4096;
    private byte[] _message = [];
    private ReadOnlySequence<byte>[] _segmentPrefixes = [];
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
        // Each receive's view of the pipe, prepared here so that the benchmark times the framer only.
        ReadOnlySequence<byte> segments = Segment.Create(_message, Chunk);
        _segmentPrefixes = new ReadOnlySequence<byte>[(_message.Length + Chunk - 1) / Chunk];
        for (int i = 0; i < _segmentPrefixes.Length; i++) _segmentPrefixes[i] = segments.Slice(0, Math.Min((long)(i + 1) * Chunk, _message.Length));
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

    [Benchmark]
    public long SegmentsResumed()
    {
        foreach (ReadOnlySequence<byte> received in _segmentPrefixes)
        {
            if (_framer.Find(received, out long length) == FrameStatus.Complete) return length;
        }

        return -1;
    }

    [Benchmark]
    public long SegmentsFromScratch()
    {
        foreach (ReadOnlySequence<byte> received in _segmentPrefixes)
        {
            if (RpcFramer.TryFindMessage(received, 32 << 20, 64, out long length) == FrameStatus.Complete) return length;
        }

        return -1;
    }

    /// <summary>A chain of fixed-size segments over one array, like a pipe's buffers.</summary>
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Create(byte[] bytes, int size)
        {
            var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
            Segment last = first;
            for (int offset = size; offset < bytes.Length; offset += size)
            {
                var next = new Segment(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), offset);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
