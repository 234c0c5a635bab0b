using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Kong.Pdk.LoadTest;

/// <summary>
/// Kong's requests as precomputed bytes: only the msgid and the EventId change between requests, so each request
/// is <c>[0, msgid, method, params]</c> written as a fixed head, the msgid, a fixed middle, the EventId and a fixed
/// tail. The bytes are those <see cref="MessagePackWriter"/> writes with <c>OldSpec</c> (lua-MessagePack's
/// "compatible" mode: no str8); <see cref="SelfCheck"/> compares the two at startup.
/// </summary>
internal sealed class RequestEncoder
{
    /// <summary>The longest a request can be beyond the host value: head, two 9-byte integers, method names, keys.</summary>
    public const int MaxOverhead = 128;

    private readonly byte[] _handleEventTail;
    private readonly byte[] _stepWithDataMiddle;
    private readonly byte[] _stepWithDataTail;
    private readonly byte[] _stepMiddle;

    public RequestEncoder(Workload workload, int instanceId)
    {
        _handleEventTail = Encode((ref MessagePackWriter w) =>
        {
            w.WriteString("plugin.HandleEvent"u8);
            w.WriteArrayHeader(1);
            w.WriteMapHeader(2);
            w.WriteString("InstanceId"u8);
            w.Write(instanceId);
            w.WriteString("EventName"u8);
            w.WriteString("access"u8);
        });
        _stepWithDataMiddle = Encode((ref MessagePackWriter w) =>
        {
            w.WriteString("plugin.Step"u8);
            w.WriteArrayHeader(1);
            w.WriteMapHeader(2);
            w.WriteString("EventId"u8);
        });
        _stepWithDataTail = Encode((ref MessagePackWriter w) =>
        {
            w.WriteString("Data"u8);
            w.WriteString(workload.HostUtf8);
        });
        _stepMiddle = Encode((ref MessagePackWriter w) =>
        {
            w.WriteString("plugin.Step"u8);
            w.WriteArrayHeader(1);
            w.WriteMapHeader(1);
            w.WriteString("EventId"u8);
        });
        MaxLength = MaxOverhead + workload.HostUtf8.Length;
    }

    /// <summary>A buffer of this size holds any request.</summary>
    public int MaxLength { get; }

    /// <summary><c>[0, msgid, "plugin.HandleEvent", [{InstanceId, EventName = "access"}]]</c>.</summary>
    public int WriteHandleEvent(Span<byte> destination, long msgId)
    {
        int n = WriteHead(destination, msgId);
        _handleEventTail.CopyTo(destination[n..]);
        return n + _handleEventTail.Length;
    }

    /// <summary><c>[0, msgid, "plugin.Step", [{EventId, Data = host}]]</c>, or without Data.</summary>
    public int WriteStep(Span<byte> destination, long msgId, long eventId, bool withData)
    {
        int n = WriteHead(destination, msgId);
        byte[] middle = withData ? _stepWithDataMiddle : _stepMiddle;
        middle.CopyTo(destination[n..]);
        n += middle.Length;
        n += WriteInteger(destination[n..], eventId);
        if (withData)
        {
            _stepWithDataTail.CopyTo(destination[n..]);
            n += _stepWithDataTail.Length;
        }

        return n;
    }

    /// <summary>Encodes a few requests both ways and returns the first difference, or null.</summary>
    public string? SelfCheck(Workload workload, int instanceId)
    {
        Span<byte> mine = stackalloc byte[MaxLength];
        foreach (long v in (ReadOnlySpan<long>)[0, 1, 127, 128, 255, 256, 65_535, 65_536, 4_294_967_295, 4_294_967_296, long.MaxValue])
        {
            int n = WriteHandleEvent(mine, v);
            byte[] reference = Encode((ref MessagePackWriter w) =>
            {
                Head(ref w, v, "plugin.HandleEvent"u8);
                w.WriteMapHeader(2);
                w.WriteString("InstanceId"u8);
                w.Write(instanceId);
                w.WriteString("EventName"u8);
                w.WriteString("access"u8);
            });
            if (!mine[..n].SequenceEqual(reference)) return $"HandleEvent with msgid {v}";
            foreach (bool data in (ReadOnlySpan<bool>)[true, false])
            {
                n = WriteStep(mine, v, v, data);
                reference = Encode((ref MessagePackWriter w) =>
                {
                    Head(ref w, v, "plugin.Step"u8);
                    w.WriteMapHeader(data ? 2 : 1);
                    w.WriteString("EventId"u8);
                    w.Write(v);
                    if (data)
                    {
                        w.WriteString("Data"u8);
                        w.WriteString(workload.HostUtf8);
                    }
                });
                if (!mine[..n].SequenceEqual(reference)) return $"Step (Data: {data}) with msgid and EventId {v}";
            }
        }

        return null;

        static void Head(ref MessagePackWriter w, long msgId, ReadOnlySpan<byte> method)
        {
            w.WriteArrayHeader(4);
            w.Write(0);
            w.Write(msgId);
            w.WriteString(method);
            w.WriteArrayHeader(1);
        }
    }

    private static int WriteHead(Span<byte> destination, long msgId)
    {
        destination[0] = 0x94; // fixarray of 4
        destination[1] = 0x00; // type 0: request
        return 2 + WriteInteger(destination[2..], msgId);
    }

    /// <summary>A non-negative integer in its shortest MessagePack form, as MessagePackWriter.Write(long) writes it.</summary>
    private static int WriteInteger(Span<byte> destination, long value)
    {
        ulong v = (ulong)value;
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "msgids and event ids are non-negative");
        }

        if (v <= 127)
        {
            destination[0] = (byte)v;
            return 1;
        }

        if (v <= byte.MaxValue)
        {
            destination[0] = 0xcc;
            destination[1] = (byte)v;
            return 2;
        }

        if (v <= ushort.MaxValue)
        {
            destination[0] = 0xcd;
            BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)v);
            return 3;
        }

        if (v <= uint.MaxValue)
        {
            destination[0] = 0xce;
            BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)v);
            return 5;
        }

        destination[0] = 0xcf;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], v);
        return 9;
    }

    private delegate void Body(ref MessagePackWriter writer);

    private static byte[] Encode(Body body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer) { OldSpec = true };
        body(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
