using System.Buffers;
using System.Net.Sockets;
using Kong.Pdk.Hosting;
using Kong.Pdk.Protocol;

namespace Kong.Pdk.Server;

/// <summary>
/// A connection served by its own thread with blocking socket I/O (<see cref="KongConnectionMode.Thread"/>). Kong
/// keeps one request in flight per connection, so the thread that receives a step runs the handler's synchronous
/// part and sends its next call without any hand-off between threads. A handler that blocks holds only its own
/// connection, which Kong is not using meanwhile. When a handler continues on another thread (it awaited something
/// else), the connection thread sends the answer once the handler wrote it, so no other thread (the sweep that
/// enforces deadlines, a thread-pool thread) ever blocks on this socket. Only when the connection thread is itself
/// busy in handler code does the answer go out with an asynchronous send; if that handler blocks the thread past its
/// deadline, a new thread takes the connection over (<see cref="HandlerPassedDeadline"/>).
/// </summary>
internal sealed class ThreadedPluginConnection : PluginConnection
{
    private readonly PluginServer _server;
    private readonly Socket _socket;
    private readonly PooledBufferWriter _output = new();
    private const int ReplyPending = 0, ReplyAwaited = 1, ReplyWritten = 2, ReplySending = 3;

    private readonly ManualResetEventSlim _replySent = new(initialState: true);
    private volatile bool _replyOk = true;
    private int _replyState = ReplyWritten;
    private int _threadId;

    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _stopToken;

    // Which reader thread owns the connection (its generation, shifted left) and whether it is inside a request's
    // handling (bit 0); with where the next message starts, for a new reader that takes over (HandlerPassedDeadline).
    private int _readerState;
    private byte[]? _resumeBuffer;
    private int _resumeStart, _resumeEnd;

    public ThreadedPluginConnection(PluginServer server, Socket socket, long number)
        : base(number, new RpcFramer(server.Options.MaxMessageSize, server.Options.MaxNestingDepth))
    {
        _server = server;
        _socket = socket;
    }

    /// <inheritdoc/>
    internal override Socket Socket => _socket;

    /// <inheritdoc/>
    public override IBufferWriter<byte> Output => _output;

    /// <inheritdoc/>
    public override Task RunAsync(CancellationToken stopToken)
    {
        _stopToken = stopToken;
        StartReader(0, BufferPool.Rent(4096), 0, 0);
        return _done.Task;
    }

    /// <summary>Starts the thread that serves the connection from <paramref name="start"/> in
    /// <paramref name="buffer"/> on; <paramref name="generation"/> 0 is the first one, which begins with serverPid.</summary>
    private void StartReader(int generation, byte[] buffer, int start, int end)
    {
        // The runtime's default stack size, as thread-pool threads have: handler code runs on this thread.
        var thread = new Thread(() => Serve(generation, buffer, start, end))
        {
            IsBackground = true,
            Name = "kong-connection-" + Number.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + (generation == 0 ? "" : "-" + generation.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        thread.Start();
    }

    private void Serve(int generation, byte[] buffer, int start, int end)
    {
        ServerLog log = _server.Log;
        CancellationToken stopToken = _stopToken;
        int readingState = generation << 1, inHandlerState = readingState | 1;
        _threadId = Environment.CurrentManagedThreadId;
        try
        {
            if (generation == 0)
            {
                // kong-protocol.md §3.5: the first bytes on every connection.
                RpcWriter.WriteServerPid(_output, _server.Pid);
                if (!SendOutput()) return;
                MarkIdle();
            }
            else
            {
                // Taken over from a thread that a handler blocks: its deadline answer is going out asynchronously.
                _replySent.Wait(stopToken);
                if (!_replyOk) return;
                if (start < end) MarkReceiving(); else MarkIdle();
            }

            while (!stopToken.IsCancellationRequested)
            {
                while (start < end)
                {
                    var pending = new ReadOnlySequence<byte>(buffer, start, end - start);
                    FrameStatus status = Framer.Find(pending, out long length);
                    if (status == FrameStatus.NeedMoreData) break;
                    if (status != FrameStatus.Complete)
                    {
                        log.Warn($"connection {Number}: closing: {DescribeViolation(status)}");
                        return;
                    }

                    MarkBusy();
                    start += (int)length;
                    // Where a new thread takes over if the handler blocks this one past its deadline.
                    _resumeBuffer = buffer;
                    _resumeStart = start;
                    _resumeEnd = end;
                    Volatile.Write(ref _readerState, inHandlerState);
                    RequestOutcome outcome = _server.Dispatcher.Process(this, pending.Slice(0, length));
                    if (Interlocked.CompareExchange(ref _readerState, readingState, inHandlerState) != inHandlerState)
                    {
                        // HandlerPassedDeadline gave the connection to a new thread: this frame owns nothing of it
                        // any more but its old receive buffer.
                        return;
                    }

                    bool keepGoing = outcome switch
                    {
                        RequestOutcome.Answered => SendOutput(),
                        RequestOutcome.AnsweredByEvent => WaitForEventReply(stopToken),
                        _ => false,
                    };
                    if (!keepGoing)
                    {
                        if (outcome == RequestOutcome.Close) log.Warn($"connection {Number}: closing after a request that cannot be answered");
                        return;
                    }
                }

                if (start < end)
                {
                    MarkReceiving();
                }
                else
                {
                    MarkIdle();
                    start = end = 0;
                    if (buffer.Length > MemoryBudget.UnchargedReceive)
                    {
                        // A large message was received: let its buffer go, so the memory goes back after the burst.
                        BufferPool.Return(buffer);
                        buffer = BufferPool.Rent(4096);
                        ChargeReceive(_server.Memory, 0);
                    }
                }

                if (end == buffer.Length)
                {
                    byte[]? larger = MakeRoom(buffer, ref start, ref end);
                    if (larger is null)
                    {
                        log.Warn($"connection {Number}: closing: a message of more than {end - start} bytes does not fit the memory budget ({_server.Memory.Used} of {_server.Memory.Limit} bytes in use)");
                        return;
                    }

                    buffer = larger;
                }

                int received = _socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
                if (received == 0)
                {
                    if (end > start) log.Debug($"connection {Number}: closed by Kong in the middle of a message ({end - start} bytes pending)");
                    return;
                }

                end += received;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            log.Debug($"connection {Number}: {ex.Message}");
        }
        catch (Exception ex)
        {
            log.Error($"connection {Number}: unexpected failure, closing: {ex}");
        }
        finally
        {
            // Taken over (the generation moved on): the new thread owns the socket, the output and the charge; this
            // frame returns only its own receive buffer, which no one else reads (the new thread has a copy).
            BufferPool.Return(buffer);
            bool stale = Interlocked.CompareExchange(ref _readerState, readingState, inHandlerState) != inHandlerState
                && Volatile.Read(ref _readerState) != readingState;
            if (stale)
            {
                int left = _server.HandlerThreadReleased();
                log.Info($"connection {Number}: a handler that blocked its thread past its deadline returned; {left} thread(s) still blocked by handlers past their deadline");
            }
            else
            {
                Close();
            }
        }
    }

    /// <summary>Ends the connection; called once, by the thread that owns it when it stops serving.</summary>
    private void Close()
    {
        try
        {
            ChargeReceive(_server.Memory, 0);
            _socket.Dispose();
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    /// <inheritdoc/>
    /// <remarks>The new thread gets a copy of the bytes received after the handler's message (in practice none: Kong
    /// waits for the answer), made before the takeover while the blocked frame can neither move nor return its
    /// buffer (it is in the handler, or waits for the answer this call precedes); the blocked frame keeps its buffer,
    /// which its message still lives in, and returns it to the pool when it exits.</remarks>
    internal override void HandlerPassedDeadline()
    {
        int state = Volatile.Read(ref _readerState);
        if ((state & 1) == 0) return; // the thread is not in handler code: it sends the answer itself
        byte[] old = _resumeBuffer!;
        int pending = _resumeEnd - _resumeStart;
        byte[] buffer = BufferPool.Rent(Math.Max(4096, pending));
        Buffer.BlockCopy(old, _resumeStart, buffer, 0, pending);
        int generation = (state >> 1) + 1;
        if (Interlocked.CompareExchange(ref _readerState, generation << 1, state) != state)
        {
            BufferPool.Return(buffer); // it just came back: it sends the answer itself
            return;
        }

        _threadId = 0; // until the new thread runs: the blocked thread is no longer the connection's
        int blocked = _server.HandlerThreadBlocked();
        _server.Log.Warn($"connection {Number}: a handler blocks its thread past its deadline: a new thread serves the connection; {blocked} thread(s) blocked by handlers past their deadline");
        try
        {
            StartReader(generation, buffer, 0, pending);
        }
        catch (Exception ex) when (ex is OutOfMemoryException or ThreadStartException)
        {
            // No reader will own the connection: close it here (the blocked frame never touches it again).
            BufferPool.Return(buffer);
            _server.Log.Error($"connection {Number}: no thread to serve the connection after a blocked handler, closing: {ex.Message}");
            Close();
        }
    }

    /// <summary>Compacts the receive buffer, or grows it (a message larger than the buffer is arriving); null when
    /// the larger buffer does not fit the memory budget.</summary>
    private byte[]? MakeRoom(byte[] buffer, ref int start, ref int end)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
            return buffer;
        }

        // The framer reports a message over the limit before the buffer grows past it.
        int length = (int)Math.Min((long)buffer.Length * 2, (long)_server.Options.MaxMessageSize + 4096);
        if (!ChargeReceive(_server.Memory, BufferPool.RentedLength(length))) return null;
        byte[] larger = BufferPool.Rent(length);
        Buffer.BlockCopy(buffer, 0, larger, 0, end);
        BufferPool.Return(buffer);
        return larger;
    }

    /// <summary>Waits until the event wrote its answer, then sends it (unless it went out asynchronously).</summary>
    private bool WaitForEventReply(CancellationToken stopToken)
    {
        if (Interlocked.CompareExchange(ref _replyState, ReplyAwaited, ReplyPending) == ReplyPending)
        {
            // The handler continues on another thread: CompleteReply moves the state to ReplyWritten and wakes us.
            _replySent.Wait(stopToken);
            return SendOutput();
        }

        if (Volatile.Read(ref _replyState) == ReplyWritten)
        {
            // The handler answered on this thread, which is the common case.
            return SendOutput();
        }

        // ReplySending: the answer was written while this thread was busy in handler code; it went out asynchronously.
        _replySent.Wait(stopToken);
        return _replyOk;
    }

    /// <summary>Sends what <see cref="Output"/> holds with blocking writes; false when the connection is gone.</summary>
    private bool SendOutput()
    {
        try
        {
            ReadOnlySpan<byte> bytes = _output.WrittenSpan;
            while (!bytes.IsEmpty)
            {
                int sent = _socket.Send(bytes, SocketFlags.None);
                bytes = bytes[sent..];
            }

            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _server.Log.Debug($"connection {Number}: sending failed: {ex.Message}");
            return false;
        }
        finally
        {
            _output.Clear();
        }
    }

    /// <inheritdoc/>
    internal override void ExpectEventReply()
    {
        _replySent.Reset();
        Volatile.Write(ref _replyState, ReplyPending);
    }

    /// <inheritdoc/>
    /// <remarks>Never blocks on the socket: the connection thread sends the answer when it waits for it (or will,
    /// once the handler code it runs returns); otherwise the answer goes out with an asynchronous send.</remarks>
    internal override void CompleteReply()
    {
        if (Environment.CurrentManagedThreadId == _threadId)
        {
            Volatile.Write(ref _replyState, ReplyWritten);
            return;
        }

        if (Interlocked.CompareExchange(ref _replyState, ReplyWritten, ReplyAwaited) == ReplyAwaited)
        {
            _replySent.Set();
            return;
        }

        if (Interlocked.CompareExchange(ref _replyState, ReplySending, ReplyPending) == ReplyPending)
        {
            // The connection thread runs handler code (for example a handler blocked past its deadline).
            _ = SendOutputAsync();
        }
    }

    /// <summary>Sends what <see cref="Output"/> holds without blocking the caller, then wakes the connection thread.</summary>
    private async Task SendOutputAsync()
    {
        bool ok = true;
        try
        {
            ReadOnlyMemory<byte> bytes = _output.WrittenMemory;
            while (!bytes.IsEmpty)
            {
                int sent = await _socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
                bytes = bytes[sent..];
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _server.Log.Debug($"connection {Number}: sending failed: {ex.Message}");
            ok = false;
        }
        finally
        {
            _output.Clear();
        }

        _replyOk = ok;
        _replySent.Set();
    }

    /// <inheritdoc/>
    internal override void Abort()
    {
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
    }
}
