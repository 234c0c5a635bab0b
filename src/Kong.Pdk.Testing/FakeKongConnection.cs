using System.Buffers;
using System.Net.Sockets;
using MessagePack;

namespace Kong.Pdk.Testing;

/// <summary>
/// One connection from the fake Kong to the plugin server, used as Kong uses its pooled connections: one request,
/// then its response, at a time; notifications (<c>serverPid</c>) are read and skipped inside a call's read loop.
/// </summary>
internal sealed class FakeKongConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly MessagePackStreamReader _reader;

    private FakeKongConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new MessagePackStreamReader(_stream, leaveOpen: true);
    }

    /// <summary>The pid of the last <c>serverPid</c> notification seen on this connection.</summary>
    public long? ServerPid { get; private set; }

    public static async Task<FakeKongConnection> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return new FakeKongConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <c>[0, msgId, method, params]</c> and returns the result of the matching response.</summary>
    /// <exception cref="KongTestException">An error answer, a malformed message, or a closed connection.</exception>
    public async Task<object?> CallAsync(long msgId, string method, object?[] parameters, CancellationToken cancellationToken)
    {
        byte[] request = Encode(msgId, method, parameters);
        await _stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            ReadOnlySequence<byte>? message = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (message is null) throw new KongTestException($"the plugin server closed the connection while Kong waited for the answer to {method}");
            object? value = MsgPackValue.Decode(message.Value.ToArray());
            if (value is not List<object?> { Count: > 0 } array || array[0] is not long kind)
            {
                throw new KongTestException($"the plugin server wrote a message that is not a MsgPack-RPC array: {MsgPackValue.ToJson(value)}");
            }

            if (kind == 2)
            {
                if (array.Count == 3 && array[1] is "serverPid" && array[2] is long pid) ServerPid = pid;
                continue;
            }

            if (kind != 1 || array.Count != 4)
            {
                throw new KongTestException($"expected a response [1, msgid, error, result] to {method}, got {MsgPackValue.ToJson(value)}");
            }

            if (array[1] is not long id || id != msgId)
            {
                throw new KongTestException($"the response to {method} carries msgid {MsgPackValue.ToJson(array[1])}, expected {msgId} (Kong raises a Lua error)");
            }

            switch (array[2])
            {
                case null:
                    break;
                case string error:
                    throw new KongTestException($"the plugin server answered {method} with the error: {error}");
                default:
                    throw new KongTestException($"the error of the response to {method} is not a string (Kong cannot lowercase it): {MsgPackValue.ToJson(array[2])}");
            }

            if (array[3] is null)
            {
                throw new KongTestException($"the plugin server answered {method} with a nil result and a nil error; Kong would end the event silently (kong-protocol.md §4.6)");
            }

            return array[3];
        }
    }

    private static byte[] Encode(long msgId, string method, object?[] parameters)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(0);
        writer.Write(msgId);
        MsgPackValue.Write(ref writer, method);
        writer.WriteArrayHeader(parameters.Length);
        foreach (object? parameter in parameters) MsgPackValue.Write(ref writer, parameter);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }
}
