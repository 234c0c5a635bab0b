using System.Buffers;
using System.Net.Sockets;
using Kong.Pdk.Protocol;

namespace Kong.Pdk.Server;

/// <summary>
/// A connection served by an <see cref="EventLoop"/> (<see cref="Hosting.KongConnectionMode.EventLoop"/>): nonblocking
/// socket I/O on the loop's thread, the handler run inline by that thread up to its next await. Only the owning loop
/// thread receives, sends and closes; an answer written elsewhere is posted to the loop (<see cref="CompleteReply"/>).
/// </summary>
/// <remarks>
/// The answer to the request being handled moves through <c>None</c> (the next request may be read),
/// <c>Pending</c> (a request was dispatched, its answer is not written yet), <c>Written</c> (in <see cref="Output"/>,
/// not sent yet) and <c>Sending</c> (partly sent, waiting for the socket to take more). Kong keeps one request in flight
/// per connection, so nothing is read past a request until its answer went out, and <see cref="Output"/> has one
/// writer at a time. Received bytes go to the loop's shared buffer; the connection holds a buffer of its own only while
/// part of a message (or a message after the one being answered) is pending, so an idle connection holds none.
/// </remarks>
internal sealed class EventLoopConnection : PluginConnection
{
    private const int None = 0, Pending = 1, Written = 2, Sending = 3;

    private readonly PluginServer _server;
    private readonly Socket _socket;
    private readonly PooledBufferWriter _output = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _answer = Written; // serverPid first
    private int _sent;
    private volatile bool _abortRequested;
    private bool _closed;
    private bool _watchingWritable;

    // The connection's own receive buffer while bytes are pending (null otherwise), and where the bytes after the
    // request being handled are, for a thread that takes the loop over (HandOver).
    private byte[]? _rx;
    private int _rxStart, _rxEnd;
    private byte[]? _resumeBuffer;
    private int _resumeStart, _resumeEnd;

    public EventLoopConnection(PluginServer server, Socket socket, long number, EventLoop loop)
        : base(number, new RpcFramer(server.Options.MaxMessageSize, server.Options.MaxNestingDepth))
    {
        _server = server;
        _socket = socket;
        socket.Blocking = false;
        Descriptor = (int)socket.SafeHandle.DangerousGetHandle();
        Loop = loop;
    }

    /// <summary>The loop that owns the connection.</summary>
    internal EventLoop Loop { get; }

    /// <summary>The socket's file descriptor (valid until the owning loop thread closes the socket).</summary>
    internal int Descriptor { get; }

    /// <summary>The connection's slot in its loop's table; -1 before it is registered and after it closed.</summary>
    internal int Slot { get; set; } = -1;

    /// <summary>The socket may have bytes (or an end) to read: set by epoll's edges, cleared when a receive drains it.
    /// Owning loop thread only.</summary>
    internal bool Readable { get; set; }

    internal bool IsClosed => _closed;

    /// <inheritdoc/>
    internal override Socket Socket => _socket;

    /// <inheritdoc/>
    public override IBufferWriter<byte> Output => _output;

    /// <inheritdoc/>
    public override Task RunAsync(CancellationToken stopToken)
    {
        // kong-protocol.md §3.5: the first bytes on every connection; the loop sends them when it registers it.
        RpcWriter.WriteServerPid(_output, _server.Pid);
        Loop.Add(this);
        return _done.Task;
    }

    /// <inheritdoc/>
    /// <remarks>The request was dispatched as <c>Pending</c> already.</remarks>
    internal override void ExpectEventReply()
    {
    }

    /// <inheritdoc/>
    /// <remarks>Never touches the socket: on the loop thread inside this connection's request the loop sends the
    /// answer when the dispatcher returns; anywhere else the connection is posted to its loop.</remarks>
    internal override void CompleteReply()
    {
        Volatile.Write(ref _answer, Written);
        EventLoop loop = Loop;
        if (ReferenceEquals(loop.Current, this) && loop.IsLoopThread) return;
        loop.Post(this);
    }

    /// <inheritdoc/>
    internal override void HandlerPassedDeadline()
        => Loop.TakeOverIfStuck(Environment.TickCount64, (long)_server.Options.HandlerDeadline.TotalMilliseconds);

    /// <inheritdoc/>
    /// <remarks>A socket shutdown, which wakes the loop through epoll; the loop closes the connection.</remarks>
    internal override void Abort()
    {
        _abortRequested = true;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        Loop.Post(this);
    }

    /// <summary>Makes the loop close the connection at its next drive (without a socket shutdown).</summary>
    internal void RequestAbort() => _abortRequested = true;

    /// <summary>
    /// Does whatever can be done now, on the owning loop thread: sends the pending answer, then reads, frames and
    /// dispatches requests one at a time until an answer is awaited, the socket has nothing more, or it must wait
    /// for room to send.
    /// </summary>
    /// <param name="scratch">The loop thread's shared receive buffer.</param>
    /// <returns>false when the loop was taken over while a handler blocked this thread: the caller must end the thread
    /// without touching the loop.</returns>
    internal bool Drive(byte[] scratch)
    {
        if (_closed) return true;
        byte[] buffer;
        int start, end;
        bool shared = _rx is null;
        if (shared)
        {
            buffer = scratch;
            start = end = 0;
        }
        else
        {
            buffer = _rx!;
            start = _rxStart;
            end = _rxEnd;
        }

        ServerLog log = _server.Log;
        try
        {
            while (true)
            {
                if (_abortRequested)
                {
                    Close();
                    return true;
                }

                int answer = Volatile.Read(ref _answer);
                if (answer == Pending) return Park(buffer, start, end, shared);
                if (answer != None)
                {
                    int sent = SendOutput();
                    if (sent < 0)
                    {
                        Close();
                        return true;
                    }

                    if (sent == 0)
                    {
                        // The socket's buffer is full: epoll's next writable edge drives us again.
                        _answer = Sending;
                        if (!_watchingWritable)
                        {
                            _watchingWritable = true;
                            Loop.WatchWritable(this, watch: true);
                        }

                        return Park(buffer, start, end, shared);
                    }

                    if (_watchingWritable)
                    {
                        _watchingWritable = false;
                        Loop.WatchWritable(this, watch: false);
                    }

                    Volatile.Write(ref _answer, None);
                    if (start < end) MarkReceiving();
                    else MarkIdle();
                }

                if (start < end)
                {
                    var pending = new ReadOnlySequence<byte>(buffer, start, end - start);
                    FrameStatus status = Framer.Find(pending, out long length);
                    if (status == FrameStatus.Complete)
                    {
                        ReadOnlySequence<byte> message = pending.Slice(0, length);
                        start += (int)length;
                        // Where a new thread resumes if the handler blocks this one past its deadline.
                        _resumeBuffer = buffer;
                        _resumeStart = start;
                        _resumeEnd = end;
                        Volatile.Write(ref _answer, Pending);
                        MarkBusy();
                        long state = Loop.EnterHandler(this);
                        RequestOutcome outcome = _server.Dispatcher.Process(this, message);
                        if (!Loop.LeaveHandler(state))
                        {
                            ReturnedAfterTakeOver(outcome, shared ? null : buffer);
                            return false;
                        }

                        if (outcome == RequestOutcome.Answered)
                        {
                            Volatile.Write(ref _answer, Written);
                        }
                        else if (outcome == RequestOutcome.Close)
                        {
                            log.Warn($"connection {Number}: closing after a request that cannot be answered");
                            Close();
                            return true;
                        }

                        continue;
                    }

                    if (status != FrameStatus.NeedMoreData)
                    {
                        log.Warn($"connection {Number}: closing: {DescribeViolation(status)}");
                        Close();
                        return true;
                    }

                    MarkReceiving();
                }
                else if (!shared)
                {
                    // Everything received was handled: the connection's own buffer goes back, the shared one serves.
                    ReleaseOwnBuffer();
                    buffer = scratch;
                    shared = true;
                    start = end = 0;
                }
                else
                {
                    start = end = 0;
                }

                if (!Readable) return Park(buffer, start, end, shared);
                if (end == buffer.Length && !MakeRoom(ref buffer, ref start, ref end, ref shared))
                {
                    log.Warn($"connection {Number}: closing: a message of more than {end - start} bytes does not fit the memory budget ({_server.Memory.Used} of {_server.Memory.Limit} bytes in use)");
                    Close();
                    return true;
                }

                int room = buffer.Length - end;
                int received = LinuxEpoll.Receive(Descriptor, buffer.AsSpan(end, room), out int errno);
                if (received > 0)
                {
                    // Less than asked for: the socket is drained, and new bytes raise a new edge.
                    if (received < room) Readable = false;
                    end += received;
                    continue;
                }

                if (received == 0)
                {
                    if (end > start) log.Debug($"connection {Number}: closed by Kong in the middle of a message ({end - start} bytes pending)");
                    Close();
                    return true;
                }

                if (errno == LinuxEpoll.Again)
                {
                    Readable = false;
                    return Park(buffer, start, end, shared);
                }

                if (errno == LinuxEpoll.Interrupted) continue;
                log.Debug($"connection {Number}: receive failed with errno {errno}");
                Close();
                return true;
            }
        }
        catch (Exception ex)
        {
            log.Error($"connection {Number}: unexpected failure, closing: {ex}");
            if (Loop.IsLoopThread) Close();
            return true;
        }
    }

    /// <summary>Keeps the bytes not yet handled for the next drive: copied out of the shared buffer into one of the
    /// connection's own, which is let go when empty. Returns true (for the caller's <c>return</c>).</summary>
    private bool Park(byte[] buffer, int start, int end, bool shared)
    {
        if (!shared)
        {
            _rxStart = start;
            _rxEnd = end;
            if (start == end) ReleaseOwnBuffer();
            return true;
        }

        if (start == end) return true;
        int pending = end - start;
        int size = Math.Max(4096, pending);
        if (!ChargeReceive(_server.Memory, BufferPool.RentedLength(size)))
        {
            _server.Log.Warn($"connection {Number}: closing: a message of more than {pending} bytes does not fit the memory budget ({_server.Memory.Used} of {_server.Memory.Limit} bytes in use)");
            Close();
            return true;
        }

        byte[] own = BufferPool.Rent(size);
        Buffer.BlockCopy(buffer, start, own, 0, pending);
        _rx = own;
        _rxStart = 0;
        _rxEnd = pending;
        return true;
    }

    /// <summary>Makes room at the end of a full buffer: compacts it, moves the pending bytes from the shared buffer to
    /// one of the connection's own, or grows that (a message larger than the buffer is arriving); false when the larger
    /// buffer does not fit the memory budget.</summary>
    private bool MakeRoom(ref byte[] buffer, ref int start, ref int end, ref bool shared)
    {
        int pending = end - start;
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, pending);
            start = 0;
            end = pending;
            if (!shared)
            {
                _rxStart = 0;
                _rxEnd = pending;
            }

            return true;
        }

        // The framer reports a message over the limit before the buffer grows past it.
        int length = (int)Math.Min((long)buffer.Length * 2, (long)_server.Options.MaxMessageSize + 4096);
        if (!ChargeReceive(_server.Memory, BufferPool.RentedLength(length))) return false;
        byte[] larger = BufferPool.Rent(length);
        Buffer.BlockCopy(buffer, 0, larger, 0, end);
        if (!shared) BufferPool.Return(buffer);
        buffer = larger;
        shared = false;
        _rx = larger;
        _rxStart = 0;
        _rxEnd = end;
        return true;
    }

    private void ReleaseOwnBuffer()
    {
        if (_rx is { } own)
        {
            _rx = null;
            _rxStart = _rxEnd = 0;
            BufferPool.Return(own);
        }

        ChargeReceive(_server.Memory, 0);
    }

    /// <summary>Sends what <see cref="Output"/> holds, without blocking: 1 when all of it went out, 0 when the socket
    /// took only part (the rest waits for a writable edge), -1 when the connection is gone.</summary>
    private int SendOutput()
    {
        ReadOnlySpan<byte> bytes = _output.WrittenSpan[_sent..];
        while (!bytes.IsEmpty)
        {
            int sent = LinuxEpoll.Send(Descriptor, bytes, out int errno);
            if (sent >= 0)
            {
                _sent += sent;
                bytes = bytes[sent..];
                continue;
            }

            if (errno == LinuxEpoll.Again) return 0;
            if (errno == LinuxEpoll.Interrupted) continue;
            _server.Log.Debug($"connection {Number}: sending failed with errno {errno}");
            _sent = 0;
            _output.Clear();
            return -1;
        }

        _sent = 0;
        _output.Clear();
        return 1;
    }

    /// <summary>Called by <see cref="EventLoop.TakeOverIfStuck"/> while this connection's request holds the blocked
    /// thread: the new thread gets a copy of the bytes received after that request (in practice none: Kong waits for
    /// the answer), made while the blocked thread can neither move nor return its buffer; the blocked thread keeps its
    /// buffer, and returns it when it comes back (<see cref="ReturnedAfterTakeOver"/>).</summary>
    internal void HandOver()
    {
        byte[]? old = _resumeBuffer;
        int pending = _resumeEnd - _resumeStart;
        _rx = null;
        _rxStart = _rxEnd = 0;
        if (old is null || pending <= 0) return;
        byte[] copy = BufferPool.Rent(Math.Max(4096, pending));
        Buffer.BlockCopy(old, _resumeStart, copy, 0, pending);
        _rx = copy;
        _rxEnd = pending;
    }

    /// <summary>The blocked thread came back from the handler after a new thread took the loop over: it hands what it
    /// has to the new thread (an answer it wrote, a close) and ends.</summary>
    private void ReturnedAfterTakeOver(RequestOutcome outcome, byte[]? ownBuffer)
    {
        if (ownBuffer is not null) BufferPool.Return(ownBuffer);
        if (outcome == RequestOutcome.Answered)
        {
            CompleteReply();
        }
        else if (outcome == RequestOutcome.Close)
        {
            _server.Log.Warn($"connection {Number}: closing after a request that cannot be answered");
            RequestAbort();
            Loop.Post(this);
        }

        int left = _server.HandlerThreadReleased();
        _server.Log.Info($"connection {Number}: a handler that blocked its event loop thread past its deadline returned; {left} thread(s) still blocked by handlers past their deadline");
    }

    /// <summary>Closes the connection on its loop at shutdown.</summary>
    internal void CloseOnLoop() => Close();

    /// <summary>Ends the connection; on the owning loop thread, once.</summary>
    private void Close()
    {
        if (_closed) return;
        _closed = true;
        try
        {
            Loop.Remove(this);
            ReleaseOwnBuffer();
            _socket.Dispose();
        }
        finally
        {
            _done.TrySetResult();
        }
    }
}
