using System.Buffers;
using System.Net.Sockets;
using Kong.Pdk.Protocol;

namespace Kong.Pdk.Server;

/// <summary>
/// One accepted connection from Kong: writes <c>serverPid</c>, then reads requests and answers each in order. Kong
/// sends at most one request at a time per connection; for HandleEvent and Step the answer comes from the event's
/// handler (<see cref="ExpectEventReply"/>, <see cref="CompleteReply"/>), and the connection does not read on before
/// it was written, so two answers can never interleave on the wire.
/// </summary>
internal abstract class PluginConnection
{
    private const int Idle = 0, Receiving = 1, Busy = 2;
    private int _waitingEvents;
    private long _receiveCharge;
    private int _activity;
    private bool _reaped;
    private long _activitySince = Environment.TickCount64;

    protected PluginConnection(long number, RpcFramer framer)
    {
        Number = number;
        Framer = framer;
    }

    public long Number { get; }

    /// <summary>Nothing in progress: between messages (or before the first).</summary>
    protected void MarkIdle()
    {
        Volatile.Write(ref _activitySince, Environment.TickCount64);
        Volatile.Write(ref _activity, Idle);
    }

    /// <summary>Part of a message arrived; the time counts from its first byte.</summary>
    protected void MarkReceiving()
    {
        if (Volatile.Read(ref _activity) == Receiving) return;
        Volatile.Write(ref _activitySince, Environment.TickCount64);
        Volatile.Write(ref _activity, Receiving);
    }

    /// <summary>A request is being handled or answered (bounded by the handler deadline, not by these timeouts).</summary>
    protected void MarkBusy() => Volatile.Write(ref _activity, Busy);

    /// <summary>Called by the sweep: why the connection should be closed now (<c>idle</c>, or <c>partial</c> for a
    /// message too slow to arrive), or null.</summary>
    internal string? CheckTimeouts(long nowTicks, long idleMs, long partialMs)
    {
        if (Volatile.Read(ref _reaped)) return null;
        int activity = Volatile.Read(ref _activity);
        long elapsed = nowTicks - Volatile.Read(ref _activitySince);
        string? reason = activity == Idle && elapsed > idleMs ? "idle"
            : activity == Receiving && elapsed > partialMs ? "partial"
            : null;
        if (reason is not null) Volatile.Write(ref _reaped, true); // reported and closed once
        return reason;
    }

    /// <summary>Finds message boundaries, resuming the walk of a partly received message where it stopped.</summary>
    internal RpcFramer Framer { get; }

    /// <summary>Events whose last call went out on this connection and that wait for Kong's step.</summary>
    public int WaitingEvents => Volatile.Read(ref _waitingEvents);

    /// <summary>An event sent a call on this connection and now waits for its step.</summary>
    internal void EventWaiting() => Interlocked.Increment(ref _waitingEvents);

    /// <summary>An event counted by <see cref="EventWaiting"/> stopped waiting (stepped, or abandoned).</summary>
    internal void EventStoppedWaiting() => Interlocked.Decrement(ref _waitingEvents);

    /// <summary>The accepted socket.</summary>
    internal abstract Socket Socket { get; }

    /// <summary>Where an answer is written; sent by <see cref="CompleteReply"/> (event answers) or by the loop.</summary>
    public abstract IBufferWriter<byte> Output { get; }

    /// <summary>Serves the connection until Kong closes it, a framing violation, or <paramref name="stopToken"/>.</summary>
    public abstract Task RunAsync(CancellationToken stopToken);

    /// <summary>Prepares for an answer that an event will write (HandleEvent, Step).</summary>
    internal abstract void ExpectEventReply();

    /// <summary>Sends the answer an event wrote to <see cref="Output"/> and lets the connection read on. Called
    /// from whichever thread the handler runs on.</summary>
    internal abstract void CompleteReply();

    /// <summary>Called by the sweep for an event that passed its deadline, after it wrote the event's answer to
    /// <see cref="Output"/> and before <see cref="CompleteReply"/> sends it: a connection whose reader is still inside
    /// handler code for the request (a handler blocks its thread) hands itself to a new reader, which sends that
    /// answer and serves the next requests; the blocked reader is counted until it comes back, and then ends without
    /// touching the connection.</summary>
    internal virtual void HandlerPassedDeadline()
    {
    }

    /// <summary>Closes the socket, which ends the connection.</summary>
    internal abstract void Abort();

    /// <summary>Charges a message being received (<paramref name="pendingBytes"/> held), past
    /// <see cref="MemoryBudget.UnchargedReceive"/>, to the budget; false when it does not fit (close the connection).</summary>
    protected bool ChargeReceive(MemoryBudget memory, long pendingBytes)
    {
        long charge = Math.Max(0, pendingBytes - MemoryBudget.UnchargedReceive);
        if (charge > _receiveCharge)
        {
            if (!memory.TryReserve(charge - _receiveCharge)) return false;
        }
        else
        {
            memory.Release(_receiveCharge - charge);
        }

        _receiveCharge = charge;
        return true;
    }

    protected static string DescribeViolation(FrameStatus status) => status switch
    {
        FrameStatus.TooLarge => "message larger than the maximum message size",
        FrameStatus.TooDeep => "message nested deeper than the maximum nesting depth",
        _ => "bytes that are not MessagePack",
    };
}
