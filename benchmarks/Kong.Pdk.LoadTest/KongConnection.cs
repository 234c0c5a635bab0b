using System.Buffers;
using System.Net.Sockets;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.LoadTest;

/// <summary>
/// One pooled connection, used the way Kong's mp_rpc.lua does: one request written in a single send, then
/// MessagePack values read until the response, skipping notifications (serverPid). Blocking I/O: the owning
/// thread holds the connection for exactly one call.
/// </summary>
internal sealed class KongConnection : IDisposable
{
    private const int MaxMessage = 16 * 1024 * 1024;
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private KongConnection(Socket socket) => _socket = socket;

    public int Notifications { get; private set; }

    public static KongConnection Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new KongConnection(socket);
    }

    /// <summary>Sends <paramref name="request"/> and returns the response message (valid until the next call).</summary>
    /// <exception cref="ProtocolException">EOF, bad framing, a wrong kind or msgid.</exception>
    public ReadOnlyMemory<byte> Call(ReadOnlySpan<byte> request, long msgId)
    {
        int sent = 0;
        while (sent < request.Length) sent += _socket.Send(request[sent..]);

        while (true)
        {
            ReadOnlyMemory<byte> message = ReadMessage();
            var reader = new MessagePackReader(message);
            int count = reader.ReadArrayHeader();
            long kind = reader.ReadInt64();
            if (kind == 2)
            {
                Notifications++;
                continue;
            }

            if (kind != 1 || count != 4) throw new ProtocolException($"expected a response [1, msgid, error, result], got kind {kind} with {count} elements");
            long id = reader.ReadInt64();
            if (id != msgId) throw new ProtocolException($"response msgid {id}, expected {msgId}");
            return message;
        }
    }

    private ReadOnlyMemory<byte> ReadMessage()
    {
        while (true)
        {
            if (_end > _start)
            {
                var sequence = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                FrameStatus status = RpcFramer.TryFindMessage(sequence, MaxMessage, 64, out long length);
                if (status == FrameStatus.Complete)
                {
                    var message = new ReadOnlyMemory<byte>(_buffer, _start, (int)length);
                    _start += (int)length;
                    if (_start == _end) _start = _end = 0;
                    return message;
                }

                if (status != FrameStatus.NeedMoreData) throw new ProtocolException($"bad framing from the server: {status}");
            }

            if (_end == _buffer.Length)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                else
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
            }

            int read = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            if (read == 0) throw new ProtocolException("no data (the server closed the connection)");
            _end += read;
        }
    }

    public void Dispose() => _socket.Dispose();
}

internal sealed class ProtocolException(string message) : Exception(message);
