using System.Buffers;
using Kong.Pdk.Protocol;
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
}
