using System.Buffers;
using System.Net.Sockets;
using Kong.Pdk.Protocol;

namespace Kong.Pdk.TestSupport;

/// <summary>One connection of a fake Kong: reads the serverPid notification, then sends requests and reads answers.
/// Every read is bounded by a timeout.</summary>
public sealed class KongConnection : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _count;

    private KongConnection(Socket socket) => _socket = socket;

    public long ServerPid { get; private set; }

    public static async Task<KongConnection> ConnectAsync(string socketPath, TimeSpan? timeout = null)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token);
        var connection = new KongConnection(socket);
        object?[] notification = (object?[])(await connection.ReadValueAsync(timeout))!;
        if (notification.Length != 3 || (long)notification[0]! != 2 || (string)notification[1]! != "serverPid")
        {
            throw new InvalidOperationException("the first message was not serverPid");
        }

        connection.ServerPid = (long)notification[2]!;
        return connection;
    }

    public async Task SendAsync(byte[] bytes)
    {
        int sent = 0;
        while (sent < bytes.Length) sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
    }

    /// <summary>Sends a request <c>[0, msgid, method, [param]]</c> and returns the answer <c>[1, msgid, error, result]</c>.</summary>
    public async Task<RpcAnswer> CallAsync(long msgId, string method, params object?[] parameters)
    {
        await SendAsync(Mp.Encode(new object?[] { 0L, msgId, method, parameters }));
        return await ReadAnswerAsync(msgId);
    }

    public async Task<RpcAnswer> ReadAnswerAsync(long msgId, TimeSpan? timeout = null)
    {
        object?[] message = (object?[])(await ReadValueAsync(timeout))!;
        if (message.Length != 4 || (long)message[0]! != 1) throw new InvalidOperationException("not a response: " + message.Length);
        if ((long)message[1]! != msgId) throw new InvalidOperationException($"msgid {message[1]} does not match {msgId}");
        return new RpcAnswer(message[2], message[3]);
    }

    /// <summary>Reads one whole MessagePack value and returns its raw bytes.</summary>
    public async Task<byte[]> ReadRawAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_buffer, 0, _count);
            if (RpcFramer.TryFindMessage(sequence, int.MaxValue, 256, out long length) == FrameStatus.Complete)
            {
                byte[] message = _buffer.AsSpan(0, (int)length).ToArray();
                Buffer.BlockCopy(_buffer, (int)length, _buffer, 0, _count - (int)length);
                _count -= (int)length;
                return message;
            }

            if (_count == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int read = await _socket.ReceiveAsync(_buffer.AsMemory(_count), SocketFlags.None, cts.Token);
            if (read == 0) throw new EndOfStreamException("the server closed the connection");
            _count += read;
        }
    }

    public async Task<object?> ReadValueAsync(TimeSpan? timeout = null) => Mp.Decode(await ReadRawAsync(timeout));

    /// <summary>True when the server closes the connection within the timeout (no more bytes).</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            int read = await _socket.ReceiveAsync(new byte[1], SocketFlags.None, cts.Token);
            return read == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>An answer: error (null or a string) and result.</summary>
public sealed record RpcAnswer(object? Error, object? Result)
{
    public Dictionary<object, object?> Map => (Dictionary<object, object?>)(Result ?? throw new InvalidOperationException("error: " + Error));

    /// <summary>For HandleEvent/Step answers: the Data, a call map or "ret".</summary>
    public object? Data => Map["Data"];

    public long EventId => (long)Map["EventId"]!;

    public string? CallMethod => Data is Dictionary<object, object?> call ? (string?)call["Method"] : null;

    public object?[] CallArgs => Data is Dictionary<object, object?> call && call.TryGetValue("Args", out object? args) ? (object?[])args! : [];
}
