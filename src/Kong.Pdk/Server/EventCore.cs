using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Kong.Pdk.Hosting;
using Kong.Pdk.Pdk;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.Server;

/// <summary>
/// One event: one phase of one request for one instance, the channel its PDK calls go through. The handler receives
/// a <see cref="KongEvent"/> handle made for the event; the core is pooled (<see cref="EventRegistry.Rent"/>) and
/// serves one event after another, so a steady stream of events allocates only the handle (the PDK modules are
/// structs over it). Events live in the process-wide <see cref="EventRegistry"/>, because Kong may deliver the next step
/// on any connection (kong-protocol.md §3.2).
/// </summary>
/// <remarks>
/// <para>
/// Reuse: the core goes back to the pool only when the event ended with "ret" or a terminal call and its handler has
/// returned, with nothing left that could still touch it (no cancellation queued, no abandoned continuation). An event
/// that was abandoned, passed its deadline or was cancelled on shutdown is left to the GC. Its cancellation token source
/// is reused when <see cref="CancellationTokenSource.TryReset"/> allows (never cancelled): a handler that keeps the
/// token after its event sees no cancellation of its own, and its registrations are removed.
/// </para>
/// State machine, guarded by <see cref="_sync"/>:
/// <list type="bullet">
/// <item><c>Running</c>: the handler computes; it owns the pending request (<see cref="_target"/>, <see cref="_targetMsgId"/>)
/// and must answer it with a call, "ret", or a terminal call. The deadline sweep may answer in its place.</item>
/// <item><c>Waiting</c>: a call was sent; the next <c>plugin.Step*</c> (on any connection) resumes the handler.
/// The idle sweep may abandon the event.</item>
/// <item><c>Finished</c>: removed from the registry; later calls throw <see cref="KongEventEndedException"/>.</item>
/// </list>
/// Whoever moves the event out of <c>Running</c> writes the answer to the pending request, so every request
/// Kong sends gets exactly one answer.
/// </remarks>
internal sealed partial class EventCore
{
    private const int Running = 0, Waiting = 1, Finished = 2;

    private readonly PluginServer _server;
    private readonly object _sync = new();
    private readonly Action _onHandlerCompleted;
    private CancellationTokenSource _cts = new();
    private ManualResetValueTaskSourceCore<PdkResult> _pending; // continuations run inline: no thread hop per step
    private KongEvent _handle = null!;
    private KongEvent? _callOwner;
    private ValueTask _handlerTask;
    private int _state;
    private bool _handlerDone;
    private bool _recyclable;
    private long _stateSinceTicks;
    private PluginConnection? _target;
    private PluginConnection? _waitingOn;
    private long _targetMsgId;
    private byte[] _rx = [];
    private int _rxLength;
    private byte[] _currentMethod = [];
    private KongEventEndReason _endReason;

    public EventCore(PluginServer server)
    {
        _server = server;
        _onHandlerCompleted = OnHandlerCompleted;
    }

    /// <summary>The event's id; set by <see cref="EventRegistry.Add"/>.</summary>
    public int Id { get; internal set; }

    /// <summary>Counts the events this core served: with <see cref="Id"/>, tells one event from the next.</summary>
    public int Generation { get; private set; }

    public PluginInstance Instance { get; private set; } = null!;

    public KongPhase Phase { get; private set; }

    /// <summary>The handle of the current event, which the handler receives.</summary>
    internal KongEvent Handle => _handle;

    /// <summary>Prepares the (new or pooled) core for an event; it is not yet registered.</summary>
    internal void Reset(PluginInstance instance, KongPhase phase)
    {
        Generation++;
        Instance = instance;
        Phase = phase;
        _handle = new KongEvent(this);
        _callOwner = null;
        _state = Running;
        _handlerDone = false;
        _recyclable = true;
        _waitingOn = null;
        _endReason = default;
        _observed = null;
        _currentMethod = [];
        _pending.Reset(); // a result token of the previous event can no longer match
    }

    /// <summary>Makes the core ready to serve another event (its token source reset, the old event let go). Called
    /// once the handler has returned and the event is finished.</summary>
    internal void PrepareForReuse()
    {
        if (!_cts.TryReset())
        {
            _cts.Dispose();
            _cts = new CancellationTokenSource();
        }

        _handle = null!;
        Instance = null!;
    }

    internal bool IsFinished => Volatile.Read(ref _state) == Finished;

    /// <summary>While the event waits for a step: the connection its last call went out on; otherwise null.</summary>
    internal PluginConnection? WaitingOn => Volatile.Read(ref _waitingOn);

    /// <summary>When the event entered its current state (<see cref="PluginServer.NowMs"/>).</summary>
    internal long StateSinceTicks => Volatile.Read(ref _stateSinceTicks);

    /// <summary>Starts the handler; called by the connection that received <c>plugin.HandleEvent</c>. The handler
    /// runs inline until its first PDK call, which answers <paramref name="msgId"/> on <paramref name="connection"/>.</summary>
    public void Start(PluginConnection connection, long msgId)
    {
        _target = connection;
        _targetMsgId = msgId;
        _stateSinceTicks = _server.NowMs;
        StartTelemetry(); // the dispatcher took the instance's hold for this event (PluginInstance.TryBeginEvent)
        ValueTask handler;
        try
        {
            handler = _observed is { Traced: true } observed
                ? RunTracedAsync(observed)
                : Instance.Handler.InvokeAsync(Phase, _handle, _cts.Token);
        }
        catch (Exception ex)
        {
            handler = ValueTask.FromException(ex);
        }

        if (handler.IsCompleted)
        {
            HandlerCompleted(handler);
            return;
        }

        // The handler awaits a PDK call (or something else): continue when it completes, with a cached delegate
        // rather than an async method, whose state machine would be allocated per event.
        _handlerTask = handler;
        handler.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onHandlerCompleted);
    }

    private void OnHandlerCompleted()
    {
        ValueTask handler = _handlerTask;
        _handlerTask = default;
        HandlerCompleted(handler);
    }

    /// <summary>The handler's task completed: answer with "ret", or apply the failure policy.</summary>
    private void HandlerCompleted(ValueTask handler)
    {
        try
        {
            handler.GetAwaiter().GetResult(); // also returns a pooled state machine box of the handler to its pool
            EndWithReturn();
        }
        catch (KongEventEndedException) when (IsFinished)
        {
            // Exit/Error, an abandoned event or an expired deadline: the event already ended on our side.
        }
        catch (Exception ex)
        {
            _ = FailThenEndAsync(ex);
            return;
        }

        HandlerEnded();
    }

    private async Task FailThenEndAsync(Exception ex)
    {
        try
        {
            await FailAsync(ex).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            // Nothing may escape this fire-and-forget task; answer the pending request if no one has.
            _server.Log.Error($"event {Id}: applying the failure policy failed: {failure}");
            EndAfterFailure(KongEventEndReason.Exited);
        }
        finally
        {
            HandlerEnded();
        }
    }

    /// <summary>The handler has returned (or thrown): the buffers go back once the event is finished, and the core
    /// goes back to the pool when nothing can touch it any more.</summary>
    private void HandlerEnded()
    {
        bool recycle;
        lock (_sync)
        {
            _handlerDone = true;
            if (_state == Finished) ReturnBuffers();
            recycle = _state == Finished && _recyclable;
        }

        Instance.EventEnded();
        if (recycle) _server.Events.Return(this);
    }

    /// <summary>The handler returned: answer the pending request with "ret".</summary>
    private void EndWithReturn()
    {
        PluginConnection? target;
        long msgId;
        lock (_sync)
        {
            if (_state != Running)
            {
                // Waiting here means the handler returned without awaiting its last call; Resume ends it.
                _handlerDone = true;
                return;
            }

            target = Finish(KongEventEndReason.Exited, EventOutcome.Ok);
            msgId = _targetMsgId;
            RpcWriter.WriteEventReturn(target.Output, msgId, Id);
        }

        target.CompleteReply();
        EndTelemetry();
    }

    /// <summary>An unhandled exception in the handler: log it, then apply the failure policy (kong-protocol.md §4.10).</summary>
    private async Task FailAsync(Exception ex)
    {
        ServerLog log = _server.Log;
        log.Error($"event {Id}: unhandled exception in the {Phase.ToWireName()} handler of {Instance.Descriptor.Name}: {ex}");
        if (Volatile.Read(ref _state) != Running) return;
        if (_observed is { } observed) observed.ErrorType = ex.GetType().FullName;

        string summary = _server.Options.HideExceptionDetails
            ? $"{Instance.Descriptor.Name}: unhandled {ex.GetType().Name} in the {Phase.ToWireName()} handler (event {Id}); details in the plugin server's log"
            : $"{Instance.Descriptor.Name}: unhandled {ex.GetType().Name} in the {Phase.ToWireName()} handler (event {Id}): {ex.Message}";
        try
        {
            await _handle.Log.ErrAsync(summary).ConfigureAwait(false);
        }
        catch (Exception logFailure)
        {
            // Best effort: the event may have ended meanwhile, or Kong answered the log call with garbage.
            log.Debug($"event {Id}: kong.log.err after the failure did not complete: {logFailure.GetType().Name}");
        }

        EndAfterFailure(KongEventEndReason.Exited);
    }

    /// <summary>Ends a failed event as its policy says: kong.response.error(500) in request phases when failing
    /// closed, "ret" otherwise. Does nothing unless the event is running.</summary>
    private void EndAfterFailure(KongEventEndReason reason)
    {
        PluginConnection? target = WriteFailureAnswer(reason);
        if (target is null) return;
        target.CompleteReply();
        EndTelemetry();
    }

    /// <summary>Finishes a running event and writes its failure answer to the pending request's connection, without
    /// sending it yet (the caller calls <see cref="PluginConnection.CompleteReply"/>).</summary>
    /// <returns>The connection written to, or null when the event was not running.</returns>
    private PluginConnection? WriteFailureAnswer(KongEventEndReason reason)
    {
        bool failClosed = Phase.IsRequestPhase() && Instance.Descriptor.FailurePolicy == KongFailurePolicy.FailClosed;
        PluginConnection target;
        lock (_sync)
        {
            if (_state != Running) return null;
            target = Finish(reason, reason == KongEventEndReason.DeadlineExceeded ? EventOutcome.Deadline : EventOutcome.PluginError);
            if (_observed is { } observed) observed.FailedClosed = failClosed;
            if (failClosed)
            {
                RpcWriter.WriteEventCall(target.Output, _targetMsgId, Id, PdkCalls.ResponseError500);
            }
            else
            {
                RpcWriter.WriteEventReturn(target.Output, _targetMsgId, Id);
            }
        }

        return target;
    }

    /// <summary>Leaves Waiting: the connection no longer counts this event. Caller holds the lock.</summary>
    private void StopWaiting()
    {
        _waitingOn?.EventStoppedWaiting();
        _waitingOn = null;
    }

    /// <summary>Moves to Finished and unregisters; returns the pending request's connection. Caller holds the lock.</summary>
    private PluginConnection Finish(KongEventEndReason reason, EventOutcome outcome)
    {
        _state = Finished;
        _endReason = reason;
        if (reason != KongEventEndReason.Exited) _recyclable = false; // a cancellation or a resumption may follow
        if (_observed is { } observed) observed.Outcome = outcome;
        _handle.End(reason, Phase);
        _server.Events.Remove(this);
        if (_handlerDone) ReturnBuffers(); // otherwise the handler's end returns them
        return _target!;
    }

    /// <summary>Cancels the handler's token; called outside the lock, since cancellation runs user callbacks.</summary>
    private void CancelHandler()
    {
        _recyclable = false;
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException ex)
        {
            _server.Log.Warn($"event {Id}: a cancellation callback threw: {ex.InnerException?.Message}");
        }
    }

    /// <summary>Cancels the handler's token on a thread-pool thread: the sweep (deadlines, abandonment) and a
    /// connection making room for events must not wait for the handler's cancellation callbacks, which are user code.</summary>
    private void CancelHandlerLater()
    {
        _recyclable = false;
        ThreadPool.UnsafeQueueUserWorkItem(static ev => ev.CancelHandler(), this, preferLocal: false);
    }

    /// <summary>Called by a connection for <c>plugin.Step*</c>: the pending call's result arrived.</summary>
    /// <returns>false when the event is not waiting for a step (the connection answers with an error).</returns>
    public bool Resume(int eventId, PluginConnection connection, long msgId, PdkResultKind kind, in ReadOnlySequence<byte> data)
    {
        bool endNow, overBudget;
        lock (_sync)
        {
            if (_state != Waiting || Id != eventId) return false; // Id: the core may serve another event by now
            StopWaiting();
            _target = connection;
            _targetMsgId = msgId;
            _state = Running;
            _stateSinceTicks = _server.NowMs;
            int length = (int)data.Length;
            overBudget = !EnsureReceiveCapacity(length);
            if (!overBudget)
            {
                data.CopyTo(_rx);
                _rxLength = length;
            }

            endNow = _handlerDone;
        }

        if (_observed is { } observed) EndCallTelemetry(observed, kind);
        if (overBudget)
        {
            MemoryBudget memory = _server.Memory;
            _server.Log.Warn($"event {Id}: the result of {Instance.Descriptor.Name}'s PDK call ({data.Length} bytes) does not fit the memory budget ({memory.Used} of {memory.Limit} bytes in use): the call fails");
        }

        if (endNow)
        {
            // The handler returned without awaiting its last call: nothing will consume this result.
            EndWithReturn();
            return true;
        }

        _pending.SetResult(overBudget
            ? new PdkResult(_currentMethod, PdkResultKind.Error, OverBudgetError)
            : new PdkResult(_currentMethod, kind, _rx.AsMemory(0, _rxLength)));
        return true;
    }

    /// <summary>Starts encoding a PDK call: <c>{"Method": name, "Args": [</c> with <paramref name="argCount"/> slots.
    /// Checks the phase first, so a call Kong would reject never leaves the process.</summary>
    internal MessagePackWriter BeginCall(KongEvent handle, byte[] method, int argCount, PdkPhases allowed, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        AcquireCall(handle, method);
        if (!ReferenceEquals(handle, _handle) || Volatile.Read(ref _state) == Finished)
        {
            // A handle kept after its event (the core may serve another one by now), or the event ended meanwhile.
            KongEventEndedException ended = ReferenceEquals(handle, _handle) ? new KongEventEndedException(_endReason) : handle.EndedException();
            Volatile.Write(ref _callOwner, null);
            throw ended;
        }

        if (((int)allowed & (1 << (int)Phase)) == 0)
        {
            Volatile.Write(ref _callOwner, null);
            ThrowWrongPhase(method, allowed);
        }

        _currentMethod = method;
        var writer = new MessagePackWriter(ResetCallBuffer());
        writer.WriteMapHeader(2);
        writer.WriteString("Method"u8);
        writer.WriteString(method);
        writer.WriteString("Args"u8);
        writer.WriteArrayHeader(argCount);
        return writer;
    }

    /// <summary>Sends the call begun with <see cref="BeginCall"/>; Kong's step completes <see cref="_pending"/> under
    /// <paramref name="token"/> (see <see cref="SendCallAsync"/> for how the handler reads it).</summary>
    /// <returns>null, or why the call was not sent (the event ended, or a call is already in flight).</returns>
    private Exception? SendCall(ref MessagePackWriter writer, out short token)
    {
        writer.Flush();
        PluginConnection target;
        token = 0;
        lock (_sync)
        {
            Volatile.Write(ref _callOwner, null);
            if (_state == Finished) return new KongEventEndedException(_endReason);
            if (_state == Waiting) return new InvalidOperationException("A PDK call is already in flight for this event: await each call before making the next one.");
            if (_observed is { } observed) StartCallTelemetry(observed);
            _pending.Reset();
            token = _pending.Version;
            _state = Waiting;
            _stateSinceTicks = _server.NowMs;
            target = _target!;
            _waitingOn = target;
            target.EventWaiting();
            RpcWriter.WriteEventCall(target.Output, _targetMsgId, Id, EncodedCall);
            _call!.Clear(); // copied: a call buffer grown past the pool's size is let go now, not at the next call
        }

        target.CompleteReply();
        return null;
    }

    /// <summary>Sends a terminal call (<c>kong.response.exit</c>/<c>error</c>): Kong never answers it, so the event
    /// ends now and the returned task throws <see cref="KongEventEndedException"/> to unwind the handler.</summary>
    internal ValueTask SendTerminalAsync(ref MessagePackWriter writer)
    {
        writer.Flush();
        PluginConnection target;
        lock (_sync)
        {
            Volatile.Write(ref _callOwner, null);
            if (_state == Finished) return ValueTask.FromException(new KongEventEndedException(_endReason));
            if (_state == Waiting) return ValueTask.FromException(new InvalidOperationException("A PDK call is already in flight for this event: await each call before making the next one."));
            target = Finish(KongEventEndReason.Exited, EventOutcome.Exit);
            RpcWriter.WriteEventCall(target.Output, _targetMsgId, Id, EncodedCall);
            _call?.Clear();
        }

        target.CompleteReply();
        EndTelemetry();
        return ValueTask.FromException(new KongEventEndedException(KongEventEndReason.Exited));
    }

    /// <summary>Called by the sweep: ends the event when it waited for a step, or computed, for too long.</summary>
    internal void CheckTimeouts(long nowTicks, long idleTimeoutMs, long deadlineMs)
    {
        int state = Volatile.Read(ref _state);
        long since = Volatile.Read(ref _stateSinceTicks);
        if (state == Waiting && nowTicks - since > idleTimeoutMs)
        {
            Abandon(KongEventEndReason.Abandoned);
        }
        else if (state == Running && nowTicks - since > deadlineMs)
        {
            _server.Log.Error($"event {Id}: the {Phase.ToWireName()} handler of {Instance.Descriptor.Name} passed its deadline of {deadlineMs} ms");
            PluginConnection? target = WriteFailureAnswer(KongEventEndReason.DeadlineExceeded);
            if (target is not null)
            {
                // Before the answer goes out: until Kong has it, it sends nothing more on this connection, so a
                // connection thread found in handler code is still inside this request (no later one).
                target.HandlerPassedDeadline();
                target.CompleteReply();
                EndTelemetry();
            }

            CancelHandlerLater();
        }
    }

    /// <summary>Ends a waiting event without writing anything: Kong will not send its step.</summary>
    /// <returns>false when the event was not waiting for a step (nothing done).</returns>
    internal bool Abandon(KongEventEndReason reason, bool logIt = true, bool evicted = false, int generation = 0)
    {
        lock (_sync)
        {
            if (_state != Waiting || (generation != 0 && generation != Generation)) return false;
            _recyclable = false; // its handler resumes with an exception queued below
            StopWaiting();
            Finish(reason, reason == KongEventEndReason.ShuttingDown ? EventOutcome.Shutdown : evicted ? EventOutcome.Evicted : EventOutcome.Idle);
        }

        EndTelemetry();

        CancelHandlerLater();
        if (logIt) _server.Log.Warn($"event {Id} ({Instance.Descriptor.Name}, {Phase.ToWireName()}) abandoned: {reason}");

        // The handler resumes with an exception; run it off the caller's thread.
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (ev, r) = state;
            ev._pending.SetException(new KongEventEndedException(r));
        }, (this, reason), preferLocal: false);
        return true;
    }

    /// <summary>On shutdown after the drain deadline: cancel whatever still runs.</summary>
    internal void CancelForShutdown()
    {
        lock (_sync) _recyclable = false;
        CancelHandler();
        Abandon(KongEventEndReason.ShuttingDown);
    }

    /// <summary>Takes the call buffer for <paramref name="handle"/>'s call. A stale handle holds it only for the check
    /// that fails it, so a call of the current event waits for that instead of failing as concurrent.</summary>
    private void AcquireCall(KongEvent handle, byte[] method)
    {
        var spin = default(SpinWait);
        while (true)
        {
            KongEvent? owner = Interlocked.CompareExchange(ref _callOwner, handle, null);
            if (owner is null) return;
            if (!ReferenceEquals(handle, Volatile.Read(ref _handle))) throw handle.EndedException();
            if (ReferenceEquals(owner, handle)) ThrowConcurrentCall(method);
            spin.SpinOnce();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowWrongPhase(byte[] method, PdkPhases allowed)
        => throw new KongPdkException(System.Text.Encoding.UTF8.GetString(method),
            $"cannot be called in the {Phase.ToWireName()} phase (Kong allows it only in: {PdkPhaseText.Describe(allowed)})");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowConcurrentCall(byte[] method)
        => throw new InvalidOperationException("A PDK call is already in flight for this event: await each call before making the next one (while calling "
            + System.Text.Encoding.UTF8.GetString(method) + ").");
}
