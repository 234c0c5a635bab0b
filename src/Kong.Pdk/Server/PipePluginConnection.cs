using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Kong.Pdk.Hosting;
using Kong.Pdk.Protocol;

namespace Kong.Pdk.Server;

/// <summary>
/// A connection served with asynchronous socket I/O through System.IO.Pipelines (<see cref="KongConnectionMode.Async"/>):
/// no thread per connection; each received message reaches the handler through the thread pool.
/// </summary>
internal sealed class PipePluginConnection : PluginConnection, IValueTaskSource<bool>
{
    private readonly PluginServer _server;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private ManualResetValueTaskSourceCore<bool> _reply = new() { RunContinuationsAsynchronously = true };
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _stopToken;

    // Which run owns the connection (its generation, shifted left) and whether it is inside a request's handling
    // (bit 0); with where the next message starts, for a run that takes over (HandlerPassedDeadline).
    private int _readerState;
    private SequencePosition _resumeAt;

    public PipePluginConnection(PluginServer server, Socket socket, long number)
        : base(number, new RpcFramer(server.Options.MaxMessageSize, server.Options.MaxNestingDepth))
    {
        _server = server;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        Pipe = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
    }

    private PipeWriter Pipe { get; }

    /// <inheritdoc/>
    internal override Socket Socket => _socket;

    /// <inheritdoc/>
    public override IBufferWriter<byte> Output => Pipe;

    public override Task RunAsync(CancellationToken stopToken)
    {
        _stopToken = stopToken;
        _ = ServeAsync(0, default);
        return _done.Task;
    }

    /// <summary>Serves the connection; <paramref name="generation"/> 0 is the first run, which begins with serverPid,
    /// a later one takes over after a handler blocked the previous run's thread past its deadline and resumes at
    /// <paramref name="resumeAt"/> (where the next message starts in the blocked run's unfinished read).</summary>
    private async Task ServeAsync(int generation, SequencePosition resumeAt)
    {
        ServerLog log = _server.Log;
        CancellationToken stopToken = _stopToken;
        int readingState = generation << 1, inHandlerState = readingState | 1;
        bool stale = false;
        try
        {
            if (generation == 0)
            {
                // kong-protocol.md §3.5: the first bytes on every connection.
                RpcWriter.WriteServerPid(Output, _server.Pid);
                FlushResult pidFlush = await Pipe.FlushAsync(stopToken).ConfigureAwait(false);
                if (pidFlush.IsCompleted) return;
                MarkIdle();
            }
            else
            {
                // Taken over: the deadline answer of the blocked handler goes out (CompleteReply, after the takeover);
                // the blocked run left its read unfinished, so this run ends it where the next message starts.
                bool sent = await new ValueTask<bool>(this, _reply.Version).ConfigureAwait(false);
                _input.AdvanceTo(resumeAt);
                if (!sent) return;
                MarkIdle();
            }

            while (true)
            {
                ReadResult read = await _input.ReadAsync(stopToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                if (!ChargeReceive(_server.Memory, buffer.Length))
                {
                    log.Warn($"connection {Number}: closing: a message of more than {buffer.Length} bytes does not fit the memory budget ({_server.Memory.Used} of {_server.Memory.Limit} bytes in use)");
                    _input.AdvanceTo(buffer.End);
                    return;
                }

                bool keepGoing = true;
                while (keepGoing)
                {
                    FrameStatus status = Framer.Find(buffer, out long length);
                    if (status == FrameStatus.NeedMoreData) break;
                    if (status != FrameStatus.Complete)
                    {
                        log.Warn($"connection {Number}: closing: {DescribeViolation(status)}");
                        _input.AdvanceTo(buffer.End);
                        return;
                    }

                    MarkBusy();
                    ReadOnlySequence<byte> message = buffer.Slice(0, length);
                    buffer = buffer.Slice(length);
                    // Where a new run takes over if the handler blocks this thread past its deadline.
                    _resumeAt = buffer.Start;
                    Volatile.Write(ref _readerState, inHandlerState);
                    RequestOutcome outcome = _server.Dispatcher.Process(this, message);
                    if (Interlocked.CompareExchange(ref _readerState, readingState, inHandlerState) != inHandlerState)
                    {
                        // HandlerPassedDeadline gave the connection to a new run: this one touches nothing of it.
                        stale = true;
                        return;
                    }

                    switch (outcome)
                    {
                        case RequestOutcome.Answered:
                            FlushResult flushed = await Pipe.FlushAsync(stopToken).ConfigureAwait(false);
                            keepGoing = !flushed.IsCompleted;
                            break;
                        case RequestOutcome.AnsweredByEvent:
                            keepGoing = await new ValueTask<bool>(this, _reply.Version).ConfigureAwait(false);
                            break;
                        default:
                            log.Warn($"connection {Number}: closing after a request that cannot be answered");
                            keepGoing = false;
                            break;
                    }
                }

                if (!keepGoing)
                {
                    _input.AdvanceTo(buffer.End);
                    return;
                }

                if (buffer.IsEmpty) MarkIdle();
                else MarkReceiving();
                _input.AdvanceTo(buffer.Start, buffer.End);
                ChargeReceive(_server.Memory, buffer.Length); // what is left of the read: releases the rest
                if (read.IsCompleted)
                {
                    if (!buffer.IsEmpty) log.Debug($"connection {Number}: closed by Kong in the middle of a message ({buffer.Length} bytes pending)");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        catch (IOException ex)
        {
            log.Debug($"connection {Number}: {ex.Message}");
        }
        catch (SocketException ex)
        {
            log.Debug($"connection {Number}: {ex.Message}");
        }
        catch (Exception ex)
        {
            log.Error($"connection {Number}: unexpected failure, closing: {ex}");
        }
        finally
        {
            // Taken over (the generation moved on): the new run owns the pipes, the socket and the charge.
            stale = stale || (Interlocked.CompareExchange(ref _readerState, readingState, inHandlerState) != inHandlerState
                && Volatile.Read(ref _readerState) != readingState);
            if (stale)
            {
                int left = _server.HandlerThreadReleased();
                log.Info($"connection {Number}: a handler that blocked its thread past its deadline returned; {left} thread(s) still blocked by handlers past their deadline");
            }
            else
            {
                // The run that owns the connection closes it, once.
                try
                {
                    ChargeReceive(_server.Memory, 0);
                    await CloseAsync().ConfigureAwait(false);
                }
                finally
                {
                    _done.TrySetResult();
                }
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>The blocked run is inside the handler on a thread-pool thread, in the middle of a pipe read: the new
    /// run ends that read at the next message (<see cref="_resumeAt"/>, stable: the blocked run cannot read on before
    /// the answer this call precedes) and reads on; the blocked run never touches the pipes or the socket again.</remarks>
    internal override void HandlerPassedDeadline()
    {
        int state = Volatile.Read(ref _readerState);
        if ((state & 1) == 0) return; // the run is not in handler code: it goes on by itself
        int generation = (state >> 1) + 1;
        SequencePosition resumeAt = _resumeAt;
        if (Interlocked.CompareExchange(ref _readerState, generation << 1, state) != state) return; // it just came back
        int blocked = _server.HandlerThreadBlocked();
        _server.Log.Warn($"connection {Number}: a handler blocks its thread past its deadline: a new thread serves the connection; {blocked} thread(s) blocked by handlers past their deadline");
        _ = Task.Run(() => ServeAsync(generation, resumeAt));
    }

    /// <summary>Completes both pipes and closes the socket, whatever fails on the way: completing the writer flushes
    /// what is still buffered, which throws when the peer is gone, and the socket must be closed now, not by a
    /// finalizer.</summary>
    private async ValueTask CloseAsync()
    {
        try
        {
            await _input.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
        }

        try
        {
            await Pipe.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
        }
        finally
        {
            _stream.Dispose();
            _socket.Dispose();
        }
    }

    /// <inheritdoc/>
    internal override void ExpectEventReply() => _reply.Reset();

    /// <inheritdoc/>
    internal override void CompleteReply()
    {
        ValueTask<FlushResult> flush;
        try
        {
            flush = Pipe.FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
        {
            _reply.SetResult(false);
            return;
        }

        if (flush.IsCompletedSuccessfully)
        {
            _reply.SetResult(!flush.Result.IsCompleted);
            return;
        }

        _ = AwaitFlushAsync(flush);
    }

    private async Task AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        bool ok;
        try
        {
            ok = !(await flush.ConfigureAwait(false)).IsCompleted;
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or OperationCanceledException)
        {
            ok = false;
        }

        _reply.SetResult(ok);
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

    bool IValueTaskSource<bool>.GetResult(short token) => _reply.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _reply.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _reply.OnCompleted(continuation, state, token, flags);
}
