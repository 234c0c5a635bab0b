using System.Buffers;
using Kong.Pdk.Protocol;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>kong-protocol.md §3.1/§3.2.4 and checklist items 7 and 9: one message is one MessagePack value, found by
/// walking its structure; a partial message is never an error.</summary>
public sealed class FramerTests
{
    private const int Max = 16 * 1024 * 1024;

    [Fact]
    public void Framer_EveryRecordedMessage_SplitAtEveryOffset_NeverThrowsAndFindsTheEnd()
    {
        IReadOnlyList<Vectors.Message> messages = Vectors.All();
        Assert.True(messages.Count > 400, "expected the recorded vectors");
        foreach (Vectors.Message message in messages)
        {
            byte[] bytes = message.Bytes;
            for (int cut = 0; cut < bytes.Length; cut++)
            {
                Assert.Equal(FrameStatus.NeedMoreData, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(bytes, 0, cut), Max, 64, out _));
                ReadOnlySequence<byte> split = Segments.Create(bytes[..cut], bytes[cut..]);
                Assert.Equal(FrameStatus.Complete, RpcFramer.TryFindMessage(split, Max, 64, out long length));
                Assert.Equal(bytes.Length, length);
            }
        }
    }

    [Fact]
    public void Framer_TwoMessagesBackToBack_FindsOnlyTheFirst()
    {
        byte[] first = Vectors.KongToServer().First().Bytes;
        byte[] second = Vectors.KongToServer().Last().Bytes;
        Assert.Equal(FrameStatus.Complete, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>([.. first, .. second]), Max, 64, out long length));
        Assert.Equal(first.Length, length);
    }

    [Fact]
    public void Framer_RandomChunkings_FixedSeed_FindTheEnd()
    {
        var random = new Random(20261126);
        foreach (Vectors.Message message in Vectors.All())
        {
            for (int round = 0; round < 5; round++)
            {
                var chunks = new List<byte[]>();
                int at = 0;
                while (at < message.Bytes.Length)
                {
                    int size = Math.Min(random.Next(1, 9), message.Bytes.Length - at);
                    chunks.Add(message.Bytes[at..(at + size)]);
                    at += size;
                }

                Assert.Equal(FrameStatus.Complete, RpcFramer.TryFindMessage(Segments.Create([.. chunks]), Max, 64, out long length));
                Assert.Equal(message.Bytes.Length, length);
            }
        }
    }

    [Fact]
    public void Framer_DeclaredSizePastTheLimit_IsTooLargeBeforeTheBytesArrive()
    {
        byte[] header = Mp.Hex("94 00 01 AB 706c7567696e2e53746570 91 81 A4 44617461 C6 01000000"); // bin32 of 16 MiB
        Assert.Equal(FrameStatus.TooLarge, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(header), 1024, 64, out _));
        Assert.Equal(FrameStatus.NeedMoreData, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(header), 32 * 1024 * 1024, 64, out _));
    }

    [Fact]
    public void Framer_MessageAtTheLimit_IsComplete_OneByteOver_IsTooLarge()
    {
        byte[] message = Mp.Encode(new object?[] { 0L, 1L, "plugin.Step", new object?[] { new string('x', 200) } });
        Assert.Equal(FrameStatus.Complete, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(message), message.Length, 64, out _));
        Assert.Equal(FrameStatus.TooLarge, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(message), message.Length - 1, 64, out _));
    }

    [Fact]
    public void Framer_NestingAtTheLimit_IsComplete_OneDeeper_IsTooDeep()
    {
        object? nested = 1L;
        for (int i = 0; i < 10; i++) nested = new object?[] { nested };
        byte[] bytes = Mp.Encode(nested);
        Assert.Equal(FrameStatus.Complete, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(bytes), Max, 10, out _));
        Assert.Equal(FrameStatus.TooDeep, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(bytes), Max, 9, out _));
    }

    [Fact]
    public void Framer_NeverUsedTypeByte_IsMalformed()
    {
        Assert.Equal(FrameStatus.Malformed, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>([0x92, 0xC1, 0x01]), Max, 64, out _));
    }

    [Fact]
    public void Framer_RandomBytes_FixedSeed_NeverThrows()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            FrameStatus status = RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(bytes), 4096, 16, out long length);
            Assert.True(status != FrameStatus.Complete || length <= bytes.Length);
        }
    }

    [Fact]
    public void Framer_EveryFormat_IsWalked()
    {
        object?[] value =
        [
            0L, -1L, 127L, 128L, 255L, 256L, 65536L, long.MaxValue, long.MinValue, -33L, -129L, -32769L,
            1.5, true, false, null, "", new string('s', 40), new string('s', 300), new string('s', 70000),
            new byte[3], new byte[300], new byte[70000], Enumerable.Range(0, 20).Select(i => (object?)(long)i).ToArray(),
            Enumerable.Range(0, 70000).Select(i => (object?)0L).ToArray(),
            Enumerable.Range(0, 20).ToDictionary(i => (object)("k" + i), i => (object?)(long)i),
            new MpRaw(Mp.Hex("D4 01 02")), new MpRaw(Mp.Hex("D5 01 0203")), new MpRaw(Mp.Hex("D6 01 02030405")),
            new MpRaw(Mp.Hex("D7 01 0203040506070809")), new MpRaw(Mp.Hex("D8 01 02030405060708090a0b0c0d0e0f1011")),
            new MpRaw(Mp.Hex("C7 02 01 0203")), new MpRaw(Mp.Hex("C8 0002 01 0203")), new MpRaw(Mp.Hex("C9 00000002 01 0203")),
            new MpRaw(Mp.Hex("CA 3F800000")), new MpRaw(Mp.Hex("D9 02 6869")),
        ];
        byte[] bytes = Mp.Encode(value);
        Assert.Equal(FrameStatus.Complete, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(bytes), Max, 64, out long length));
        Assert.Equal(bytes.Length, length);
        for (int cut = 0; cut < bytes.Length; cut += 97)
        {
            Assert.Equal(FrameStatus.NeedMoreData, RpcFramer.TryFindMessage(new ReadOnlySequence<byte>(bytes, 0, cut), Max, 64, out _));
        }
    }

    [Fact]
    public void Resumed_LargeMessageInFourKiBChunks_EachByteIsExaminedOnce()
    {
        // 1 MiB of small elements (walked byte by byte) and a 1 MiB string (skipped as a payload).
        object?[] smalls = Enumerable.Range(0, 200_000).Select(i => (object?)(long)(i % 100)).ToArray();
        byte[] bytes = Mp.Encode(new object?[] { 0L, 1L, "plugin.Step", new object?[] { Mp.Map("EventId", 1L, "Data", smalls, "Body", new string('b', 1 << 20)) } });
        var framer = new RpcFramer(Max, 64);
        int calls = 0;
        for (int received = 4096; ; received = Math.Min(received + 4096, bytes.Length))
        {
            calls++;
            FrameStatus status = framer.Find(new ReadOnlySequence<byte>(bytes, 0, received), out long length);
            if (received < bytes.Length)
            {
                Assert.Equal(FrameStatus.NeedMoreData, status);
                continue;
            }

            Assert.Equal(FrameStatus.Complete, status);
            Assert.Equal(bytes.Length, length);
            break;
        }

        // A walk from the start on every receive would look at about calls / 2 times the message.
        Assert.InRange(framer.BytesExamined, bytes.Length, bytes.Length + 8L * calls);

        // The same over a pipe's segments (4 KiB each, kept until the message is consumed).
        ReadOnlySequence<byte> segments = Segments.Create(bytes.Chunk(4096).ToArray());
        var piped = new RpcFramer(Max, 64);
        FrameStatus last = FrameStatus.NeedMoreData;
        for (long received = 4096; last == FrameStatus.NeedMoreData; received = Math.Min(received + 4096, bytes.Length))
        {
            last = piped.Find(segments.Slice(0, received), out long length);
            if (last == FrameStatus.Complete) Assert.Equal(bytes.Length, length);
        }

        Assert.Equal(FrameStatus.Complete, last);
        Assert.InRange(piped.BytesExamined, bytes.Length, bytes.Length + 8L * calls);
    }

    [Fact]
    public void Resumed_EveryRecordedMessage_FedOneByteAtATime_InOneOrTwoSegments_FindsTheSameEnd()
    {
        var framer = new RpcFramer(Max, 64);
        foreach (Vectors.Message message in Vectors.All())
        {
            byte[] bytes = message.Bytes;
            for (int received = 1; received <= bytes.Length; received++)
            {
                int half = received / 2;
                ReadOnlySequence<byte> buffer = received % 2 == 0
                    ? new ReadOnlySequence<byte>(bytes, 0, received)
                    : Segments.Create(bytes[..half], bytes[half..received]);
                FrameStatus status = framer.Find(buffer, out long length);
                Assert.Equal(received < bytes.Length ? FrameStatus.NeedMoreData : FrameStatus.Complete, status);
                if (status == FrameStatus.Complete) Assert.Equal(bytes.Length, length);
            }
        }
    }

    [Fact]
    public void Resumed_TwoMessagesBackToBack_AfterTheFirstTheWalkStartsOver()
    {
        byte[] first = Vectors.KongToServer().First().Bytes;
        byte[] second = Vectors.KongToServer().Last().Bytes;
        byte[] both = [.. first, .. second];
        var framer = new RpcFramer(Max, 64);
        Assert.Equal(FrameStatus.NeedMoreData, framer.Find(new ReadOnlySequence<byte>(both, 0, first.Length - 1), out _));
        Assert.Equal(FrameStatus.Complete, framer.Find(new ReadOnlySequence<byte>(both), out long length));
        Assert.Equal(first.Length, length);
        Assert.Equal(FrameStatus.NeedMoreData, framer.Find(new ReadOnlySequence<byte>(both, first.Length, second.Length - 1), out _));
        Assert.Equal(FrameStatus.Complete, framer.Find(new ReadOnlySequence<byte>(both, first.Length, second.Length), out length));
        Assert.Equal(second.Length, length);
    }

    [Fact]
    public void Resumed_Violations_AreFoundAsInOneCall()
    {
        byte[] deep = Enumerable.Repeat((byte)0x91, 10).Append((byte)0x01).ToArray();
        var framer = new RpcFramer(Max, 9);
        FrameStatus status = FrameStatus.NeedMoreData;
        for (int received = 1; received <= deep.Length && status == FrameStatus.NeedMoreData; received++)
        {
            status = framer.Find(new ReadOnlySequence<byte>(deep, 0, received), out _);
        }

        Assert.Equal(FrameStatus.TooDeep, status);

        // A str32 that grows past the limit while it arrives.
        byte[] large = [0x91, 0xDB, 0x00, 0x00, 0x10, 0x00, .. new byte[5000]];
        var small = new RpcFramer(1024, 64);
        Assert.Equal(FrameStatus.TooLarge, small.Find(new ReadOnlySequence<byte>(large, 0, 4), out _) is FrameStatus.NeedMoreData
            ? small.Find(new ReadOnlySequence<byte>(large, 0, 6), out _)
            : FrameStatus.Malformed);
        var withinLimit = new RpcFramer(8192, 64);
        Assert.Equal(FrameStatus.NeedMoreData, withinLimit.Find(new ReadOnlySequence<byte>(large, 0, 2000), out _));
        Assert.Equal(FrameStatus.NeedMoreData, withinLimit.Find(new ReadOnlySequence<byte>(large, 0, 4000), out _));
        Assert.Equal(FrameStatus.Complete, withinLimit.Find(new ReadOnlySequence<byte>(large, 0, 6 + 4096), out long length));
        Assert.Equal(6 + 4096, length);
        Assert.Equal(FrameStatus.Malformed, new RpcFramer(Max, 64).Find(new ReadOnlySequence<byte>([0x92, 0x01, 0xC1]), out _));
    }
}

internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Create(params byte[][] parts)
    {
        var first = new Segments(parts[0], 0);
        Segments last = first;
        for (int i = 1; i < parts.Length; i++)
        {
            var next = new Segments(parts[i], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
