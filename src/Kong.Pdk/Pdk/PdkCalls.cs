using System.Buffers;
using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary>Calls the server itself sends, encoded once.</summary>
internal static class PdkCalls
{
    /// <summary><c>{"Method": "kong.response.error", "Args": [500]}</c>: the fail-closed answer (kong-protocol.md §4.10).</summary>
    public static readonly byte[] ResponseError500 = Encode(PdkMethods.ResponseError, 500);

    private static byte[] Encode(byte[] method, int status)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(2);
        writer.WriteString("Method"u8);
        writer.WriteString(method);
        writer.WriteString("Args"u8);
        writer.WriteArrayHeader(1);
        writer.Write(status);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
