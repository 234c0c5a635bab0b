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

    public override async Task RunAsync(CancellationToken stopToken)
    {
        ServerLog log = _server.Log;
        try
        {
            // kong-protocol.md §3.5: the first bytes on every connection.
            RpcWriter.WriteServerPid(Output, _server.Pid);
            FlushResult pidFlush = await Pipe.FlushAsync(stopToken).ConfigureAwait(false);
            if (pidFlush.IsCompleted) return;
            MarkIdle();

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
                    RequestOutcome outcome = _server.Dispatcher.Process(this, message);
                    buffer = buffer.Slice(length);
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
            ChargeReceive(_server.Memory, 0);
            await CloseAsync().ConfigureAwait(false);
        }
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
