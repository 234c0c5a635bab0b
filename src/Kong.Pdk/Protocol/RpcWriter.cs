using System.Buffers;
using MessagePack;

namespace Kong.Pdk.Protocol;

/// <summary>
/// Writes MsgPack:1 messages. Everything we write decodes in Kong's lua-MessagePack: no ext types, errors only
/// as strings, and never a nil result together with a nil error (kong-protocol.md §3.3, §4.1).
/// </summary>
internal static class RpcWriter
{
    /// <summary><c>[2, "serverPid", pid]</c>, written on every accepted connection before anything else.</summary>
    public static void WriteServerPid(IBufferWriter<byte> output, int pid)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(3);
        writer.Write(2);
        writer.WriteString("serverPid"u8);
        writer.Write(pid);
        writer.Flush();
    }

    /// <summary><c>[1, msgid, error, nil]</c>.</summary>
    public static void WriteError(IBufferWriter<byte> output, long msgId, string error)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(4);
        writer.Write(1);
        writer.Write(msgId);
        writer.Write(error);
        writer.WriteNil();
        writer.Flush();
    }

    /// <summary>Starts <c>[1, msgid, nil, </c>; the caller writes the result value and flushes.</summary>
    public static void WriteResultHeader(ref MessagePackWriter writer, long msgId)
    {
        writer.WriteArrayHeader(4);
        writer.Write(1);
        writer.Write(msgId);
        writer.WriteNil();
    }

    /// <summary><c>[1, msgid, nil, {"EventId": id, "Data": "ret"}]</c>.</summary>
    public static void WriteEventReturn(IBufferWriter<byte> output, long msgId, int eventId)
    {
        var writer = new MessagePackWriter(output);
        WriteResultHeader(ref writer, msgId);
        writer.WriteMapHeader(2);
        writer.WriteString("EventId"u8);
        writer.Write(eventId);
        writer.WriteString("Data"u8);
        writer.WriteString("ret"u8);
        writer.Flush();
    }

    /// <summary><c>[1, msgid, nil, {"EventId": id, "Data": &lt;call&gt;}]</c>, where the call
    /// <c>{"Method": ..., "Args": [...]}</c> is already encoded in <paramref name="call"/>.</summary>
    public static void WriteEventCall(IBufferWriter<byte> output, long msgId, int eventId, ReadOnlySpan<byte> call)
    {
        var writer = new MessagePackWriter(output);
        WriteResultHeader(ref writer, msgId);
        writer.WriteMapHeader(2);
        writer.WriteString("EventId"u8);
        writer.Write(eventId);
        writer.WriteString("Data"u8);
        writer.WriteRaw(call);
        writer.Flush();
    }
}
