using System.Globalization;

namespace Kong.Pdk.Server;

/// <summary>
/// One event-loop thread of <see cref="Hosting.KongConnectionMode.EventLoop"/>: an epoll instance (edge-triggered) over
/// the connections assigned to it, served with nonblocking <c>recv</c>/<c>send</c>. The thread reads what is ready,
/// frames it, and runs the dispatcher, and so the handler, inline up to its next await; a PDK call's step resumes the
/// handler inline on the thread that receives it. Answers written on other threads (a handler that awaited something
/// else, the deadline sweep) are posted to the loop, which sends them: no other thread touches a loop's sockets.
/// </summary>
/// <remarks>
/// A handler that blocks the loop thread stalls every connection of the loop. When the thread has been inside handler
/// code for longer than the handler deadline (<see cref="TakeOverIfStuck"/>, called by the sweep), a new thread takes
/// the loop over (the same epoll instance, connection table and posted answers); the blocked thread is counted in
/// <see cref="PluginServer.BlockedHandlerThreads"/> and ends, touching nothing of the loop, when its handler returns.
/// </remarks>
internal sealed class EventLoop
{
    private const ulong WakeData = ulong.MaxValue;
    private const int SlotBits = 24;
    private const ulong SlotMask = (1UL << SlotBits) - 1;
    private const int MaxEventsPerWait = 256;

    /// <summary>The receive buffer the loop shares between its connections: a connection holds a buffer of its own only
    /// while part of a message is pending (or an answer is awaited with bytes after it).</summary>
    internal const int ScratchSize = 64 * 1024;

    private readonly PluginServer _server;
    private readonly int _epoll;
    private readonly int _wakeFd;
    private EventLoopConnection?[] _slots = new EventLoopConnection?[64];
    private readonly Stack<int> _freeSlots = new();
    private int _slotsUsed;
    private int _connections;

    private readonly object _postLock = new();
    private List<EventLoopConnection> _posted = [];
    private List<EventLoopConnection> _draining = [];
    private int _postedCount;
    private int _wakePending;

    // The owning thread's handler state: a sequence number (shifted left) and whether it runs a request's handling
    // (bit 0); a takeover replaces it, so the blocked thread's compare-exchange fails when it comes back.
    private long _handlerState;
    private long _handlerSequence;
    private long _handlerSince;
    private int _threadId;
    private int _generation;
    private volatile bool _stopping;
    private int _stopped;

    private EventLoop(PluginServer server, int index, int epoll, int wakeFd)
    {
        _server = server;
        Index = index;
        _epoll = epoll;
        _wakeFd = wakeFd;
    }

    public int Index { get; }

    /// <summary>Connections assigned to the loop and not yet closed.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>The connection whose request the owning thread is handling, or null.</summary>
    internal EventLoopConnection? Current { get; private set; }

    /// <summary>True on the thread that owns the loop now.</summary>
    internal bool IsLoopThread => Environment.CurrentManagedThreadId == Volatile.Read(ref _threadId);

    /// <summary>Creates the loop's epoll instance and eventfd and starts its thread; null (with the reason) when the
    /// system refuses.</summary>
    public static EventLoop? Start(PluginServer server, int index, out string? failure)
    {
        failure = null;
        int epoll = LinuxEpoll.EpollCreate(LinuxEpoll.CloseOnExec);
        if (epoll < 0)
        {
            failure = "epoll_create1 failed with errno " + System.Runtime.InteropServices.Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture);
            return null;
        }

        int wake = LinuxEpoll.EventFd(0, LinuxEpoll.CloseOnExec | LinuxEpoll.EventFdNonBlocking);
        if (wake < 0 || LinuxEpoll.Control(epoll, LinuxEpoll.ControlAdd, wake, LinuxEpoll.In, WakeData) != 0)
        {
            failure = "eventfd failed with errno " + System.Runtime.InteropServices.Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture);
            if (wake >= 0) LinuxEpoll.CloseDescriptor(wake);
            LinuxEpoll.CloseDescriptor(epoll);
            return null;
        }

        var loop = new EventLoop(server, index, epoll, wake);
        loop.StartThread(0);
        return loop;
    }

    private void StartThread(int generation)
    {
        var thread = new Thread(() => Run(generation))
        {
            IsBackground = true,
            Name = "kong-loop-" + Index.ToString(CultureInfo.InvariantCulture)
                + (generation == 0 ? "" : "-" + generation.ToString(CultureInfo.InvariantCulture)),
        };
        thread.Start();
    }

    /// <summary>Assigns a new connection to the loop; its thread registers it and sends its serverPid.</summary>
    public void Add(EventLoopConnection connection)
    {
        Interlocked.Increment(ref _connections);
        Post(connection);
    }

    /// <summary>Asks the loop to drive <paramref name="connection"/> (an answer was written, or it must close). From any
    /// thread; wakes the loop unless called on it.</summary>
    public void Post(EventLoopConnection connection)
    {
        lock (_postLock)
        {
            _posted.Add(connection);
            Volatile.Write(ref _postedCount, _posted.Count);
        }

        if (!IsLoopThread && Interlocked.Exchange(ref _wakePending, 1) == 0) LinuxEpoll.Signal(_wakeFd);
    }

    /// <summary>Stops the loop: its thread closes what is left and the loop's descriptors, then ends.</summary>
    public void Stop()
    {
        _stopping = true;
        Interlocked.Exchange(ref _wakePending, 1);
        LinuxEpoll.Signal(_wakeFd);
    }

    /// <summary>Marks the start of a request's handling on the owning thread; returns the state to leave with.</summary>
    internal long EnterHandler(EventLoopConnection connection)
    {
        Current = connection;
        Volatile.Write(ref _handlerSince, Environment.TickCount64);
        long state = (++_handlerSequence << 1) | 1;
        Volatile.Write(ref _handlerState, state);
        return state;
    }

    /// <summary>Marks the end of a request's handling; false when the loop was taken over meanwhile (the calling thread
    /// then owns nothing of the loop and must end).</summary>
    internal bool LeaveHandler(long state)
    {
        if (Interlocked.CompareExchange(ref _handlerState, state & ~1L, state) != state) return false;
        Current = null;
        return true;
    }

    /// <summary>Called by the sweep (and for an event past its deadline): when the owning thread has been in handler
    /// code for longer than <paramref name="deadlineMs"/>, a new thread takes the loop over.</summary>
    /// <returns>true when this call started a new thread.</returns>
    internal bool TakeOverIfStuck(long nowTicks, long deadlineMs)
    {
        long state = Volatile.Read(ref _handlerState);
        if ((state & 1) == 0 || _stopping) return false;
        if (nowTicks - Volatile.Read(ref _handlerSince) <= deadlineMs) return false;
        EventLoopConnection? blocked = Current;
        if (Interlocked.CompareExchange(ref _handlerState, state & ~1L, state) != state) return false; // it came back

        int generation = Interlocked.Increment(ref _generation);
        Volatile.Write(ref _threadId, 0); // until the new thread runs: the blocked thread is no longer the loop's
        Current = null;
        blocked?.HandOver();
        int count = _server.HandlerThreadBlocked();
        _server.Log.Warn($"event loop {Index}: a handler blocks its thread past its deadline{(blocked is null ? "" : $" (connection {blocked.Number})")}: a new thread serves the loop's {ConnectionCount} connections; {count} thread(s) blocked by handlers past their deadline");
        try
        {
            StartThread(generation);
        }
        catch (Exception ex) when (ex is OutOfMemoryException or ThreadStartException)
        {
            _server.Log.Error($"event loop {Index}: no thread to take the loop over from a blocked handler: its connections wait for the handler: {ex.Message}");
        }

        return true;
    }

    private void Run(int generation)
    {
        Volatile.Write(ref _threadId, Environment.CurrentManagedThreadId);
        ServerLog log = _server.Log;
        byte[] events = new byte[MaxEventsPerWait * LinuxEpoll.EventSize];
        byte[] scratch = GC.AllocateUninitializedArray<byte>(ScratchSize);
        try
        {
            if (generation > 0 && !Resume(scratch)) return;
            while (!_stopping)
            {
                if (Volatile.Read(ref _postedCount) > 0 && !DrainPosted(scratch)) return;
                int ready = LinuxEpoll.Wait(_epoll, events, -1);
                if (ready < 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == LinuxEpoll.Interrupted) continue;
                    log.Error($"event loop {Index}: epoll_wait failed with errno {errno}: closing its connections");
                    break;
                }

                bool served = false;
                for (int i = 0; i < ready; i++)
                {
                    (uint flags, ulong data) = LinuxEpoll.ReadEvent(events, i);
                    if (data == WakeData)
                    {
                        LinuxEpoll.Drain(_wakeFd);
                        Volatile.Write(ref _wakePending, 0);
                        continue;
                    }

                    EventLoopConnection? connection = _slots[(int)(data & SlotMask)];
                    if (connection is null || (ulong)connection.Number != data >> SlotBits) continue; // closed meanwhile
                    if ((flags & (LinuxEpoll.In | LinuxEpoll.ReadHangUp | LinuxEpoll.HangUp | LinuxEpoll.Error)) != 0) connection.Readable = true;
                    served = true;
                    if (!connection.Drive(scratch)) return;
                }

                // A scheduling point between batches (sched_yield): a runnable thread on this core (a Kong worker
                // waiting to read the answers just sent, another loop) runs before the loop takes its next batch.
                // Without it a loop that always finds work is preempted by the kernel instead, mid-batch, and every
                // connection of the loop waits out a whole time slice: on 2 cores shared with 2 client loops, p99 at
                // c=64-256 was 13-21 ms without it and 1.1-5 ms with it, at the same throughput (performance.md).
                // When nothing else is runnable it returns at once (well under a microsecond). Not after a wake-up
                // alone: the posted work that woke the loop is served first, at the top of the next turn.
                if (served) Thread.Yield();
            }
        }
        catch (Exception ex)
        {
            log.Error($"event loop {Index}: unexpected failure, closing its connections: {ex}");
        }

        if (IsLoopThread) Shutdown();
    }

    /// <summary>The first thing a thread that took the loop over does: what the blocked thread had taken from epoll
    /// and the posted list but not served is unknown, so every connection is driven once (a receive that finds
    /// nothing costs one system call).</summary>
    private bool Resume(byte[] scratch)
    {
        foreach (EventLoopConnection connection in _draining)
        {
            Register(connection);
        }

        _draining.Clear();
        for (int i = 0; i < _slotsUsed; i++)
        {
            if (_slots[i] is not { } connection) continue;
            connection.Readable = true;
            if (!connection.Drive(scratch)) return false;
        }

        return true;
    }

    /// <summary>Drives the connections posted since the last time.</summary>
    private bool DrainPosted(byte[] scratch)
    {
        lock (_postLock)
        {
            (_posted, _draining) = (_draining, _posted);
            Volatile.Write(ref _postedCount, 0);
        }

        List<EventLoopConnection> draining = _draining;
        for (int i = 0; i < draining.Count; i++)
        {
            EventLoopConnection connection = draining[i];
            Register(connection);
            if (!connection.Drive(scratch)) return false; // taken over: the new thread drains this list again
        }

        draining.Clear();
        return true;
    }

    /// <summary>Adds a new connection to the table and to epoll (edge-triggered: readable, writable, peer closed); nothing
    /// for one registered already or closed.</summary>
    private void Register(EventLoopConnection connection)
    {
        if (connection.Slot >= 0 || connection.IsClosed) return; // registered already, or closed before its turn
        int slot;
        if (_freeSlots.Count > 0)
        {
            slot = _freeSlots.Pop();
        }
        else
        {
            if (_slotsUsed == _slots.Length) Array.Resize(ref _slots, _slots.Length * 2);
            slot = _slotsUsed++;
        }

        _slots[slot] = connection;
        connection.Slot = slot;
        connection.Readable = true;
        if (LinuxEpoll.Control(_epoll, LinuxEpoll.ControlAdd, connection.Descriptor, ReadInterest, DataOf(connection)) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            _server.Log.Warn($"connection {connection.Number}: cannot be added to event loop {Index} (epoll_ctl errno {errno}): closing");
            connection.RequestAbort();
        }
    }

    // Readable and peer-closed edges only: a writable edge comes each time the peer reads what was sent (the socket's
    // send buffer frees up), which would wake the loop once more per message for nothing. Writable edges are asked for
    // only while an answer waits for room (WatchWritable).
    private const uint ReadInterest = LinuxEpoll.In | LinuxEpoll.ReadHangUp | LinuxEpoll.EdgeTriggered;

    private static ulong DataOf(EventLoopConnection connection) => ((ulong)connection.Number << SlotBits) | (uint)connection.Slot;

    /// <summary>Asks epoll for writable edges too (an answer waits for room in the socket's buffer), or no longer.</summary>
    internal void WatchWritable(EventLoopConnection connection, bool watch)
    {
        uint interest = watch ? ReadInterest | LinuxEpoll.Out : ReadInterest;
        if (LinuxEpoll.Control(_epoll, LinuxEpoll.ControlModify, connection.Descriptor, interest, DataOf(connection)) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            _server.Log.Debug($"connection {connection.Number}: epoll_ctl MOD failed with errno {errno}: closing");
            connection.RequestAbort();
        }
    }

    /// <summary>Takes a closing connection out of the table and epoll; called by the owning thread.</summary>
    internal void Remove(EventLoopConnection connection)
    {
        Interlocked.Decrement(ref _connections);
        int slot = connection.Slot;
        if (slot < 0) return;
        _ = LinuxEpoll.Control(_epoll, LinuxEpoll.ControlDelete, connection.Descriptor, 0, 0);
        _slots[slot] = null;
        _freeSlots.Push(slot);
        connection.Slot = -1;
    }

    /// <summary>Closes every connection left and the loop's descriptors; once, by the thread that owns the loop.</summary>
    private void Shutdown()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        lock (_postLock)
        {
            _draining.AddRange(_posted);
            _posted.Clear();
        }

        foreach (EventLoopConnection connection in _draining) connection.CloseOnLoop();
        _draining.Clear();
        for (int i = 0; i < _slotsUsed; i++) _slots[i]?.CloseOnLoop();
        LinuxEpoll.CloseDescriptor(_wakeFd);
        LinuxEpoll.CloseDescriptor(_epoll);
    }
}
