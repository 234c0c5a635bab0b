using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Kong.Pdk.Protocol;
using MessagePack;

namespace Kong.Pdk.LoadTest;

/// <summary>
/// The default client (<c>--client-mode loop</c>): one thread multiplexes many requests in flight over
/// nonblocking Unix sockets with epoll, as an nginx worker does. Each simulated nginx worker it serves keeps
/// Kong's semantics exactly: a LIFO pool of idle connections (a new connection when it is empty), one msgid
/// counter, one request written per call, the answer read before the connection goes back to the pool, and every
/// answer checked (<see cref="KongSide.ParseEventAnswer"/>). Per round trip the loop makes one write, one read
/// and its share of one epoll_wait, with no allocation: requests are precomputed bytes (<see cref="RequestEncoder"/>)
/// and answers are parsed in the connection's buffer.
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    private const int MaxMessage = 16 * 1024 * 1024;
    private const int MaxEvents = 256;
    private const int BlockingCallTimeoutMs = 30_000;
    private readonly int _number;
    private readonly RunState _state;
    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly List<LoopConnection?> _connections = [];
    private readonly List<LoopSlot> _slots = [];
    private readonly Queue<LoopSlot> _restart = new();
    private readonly int _epoll;
    private byte[] _request = new byte[1024];
    private int _active;
    private Thread? _thread;

    public EventLoop(int number, RunState state, string socketPath)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the event-loop client needs Linux on x86-64 (epoll_event layout); use --client-mode threads");
        }

        _number = number;
        _state = state;
        _endPoint = new UnixDomainSocketEndPoint(socketPath);
        _epoll = Native.EpollCreate1(Native.EpollCloexec);
        if (_epoll < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>Event latency, recorded by this loop only (merged at the end).</summary>
    public Histogram Events { get; } = new();

    /// <summary>Step round trips.</summary>
    public Histogram Calls { get; } = new();

    /// <summary>HandleEvent round trips.</summary>
    public Histogram Handle { get; } = new();

    public string Name => $"kong-loop-{_number}";

    /// <summary>Adds one request in flight for <paramref name="worker"/>, before <see cref="Start"/>.</summary>
    public void AddSlot(LoopWorker worker, KongSide checker)
    {
        _slots.Add(new LoopSlot(worker, checker));
        if (worker.Encoder.MaxLength > _request.Length) _request = new byte[worker.Encoder.MaxLength];
    }

    /// <summary>plugin.StartInstance for <paramref name="worker"/>, blocking, on a connection of its pool (called
    /// before <see cref="Start"/>, on the main thread). Returns the instance id.</summary>
    /// <exception cref="ProtocolException">An RPC error, a bad answer or a timeout.</exception>
    /// <exception cref="SocketException">Cannot connect, or an I/O error.</exception>
    public int StartInstance(LoopWorker worker, KongSide side)
    {
        long msgId = worker.NextMsgId();
        ReadOnlySpan<byte> request = side.EncodeStartInstance(msgId);
        LoopConnection connection = Borrow(worker);
        try
        {
            ReadOnlyMemory<byte> response = BlockingCall(connection, request, msgId);
            int id = side.ParseStartInstance(response);
            worker.Idle.Add(connection);
            return id;
        }
        catch
        {
            Close(connection);
            throw;
        }
    }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = Name };
        _thread.Start();
    }

    public bool Join(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    public void Dispose()
    {
        for (int i = 0; i < _connections.Count; i++)
        {
            if (_connections[i] is LoopConnection c) Close(c);
        }

        _ = Native.Close(_epoll);
    }

    private void Run()
    {
        Native.EpollEvent* ready = stackalloc Native.EpollEvent[MaxEvents];
        _active = _slots.Count;
        foreach (LoopSlot slot in _slots) StartEvent(slot);
        while (_active > 0)
        {
            while (_restart.TryDequeue(out LoopSlot? slot)) StartEvent(slot);
            if (_active == 0) break;
            int n = Native.EpollWait(_epoll, ready, MaxEvents, _restart.Count > 0 ? 0 : 100);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Native.EINTR) continue;
                _state.EventFailed($"epoll_wait failed: errno {errno}");
                _state.SetPhase(RunState.Stop);
                return;
            }

            for (int i = 0; i < n; i++)
            {
                LoopConnection? connection = _connections[(int)ready[i].Data];
                if (connection is null) continue; // closed earlier in this batch
                uint flags = ready[i].Events;
                if ((flags & Native.EpollOut) != 0) FlushPending(connection);
                if (!connection.Closed && (flags & (Native.EpollIn | Native.EpollHup | Native.EpollErr)) != 0) OnReadable(connection);
            }
        }
    }

    private void StartEvent(LoopSlot slot)
    {
        int phase = _state.Phase;
        if (phase == RunState.Stop)
        {
            _active--;
            return;
        }

        slot.Measuring = phase == RunState.Measure;
        slot.EventStart = Stopwatch.GetTimestamp();
        slot.InHandleEvent = true;
        slot.EventId = -1;
        slot.Gets = slot.Sets = slot.Steps = 0;
        long msgId = slot.Worker.NextMsgId();
        int length = slot.Worker.Encoder.WriteHandleEvent(_request, msgId);
        Send(slot, msgId, length);
    }

    /// <summary>Borrows a connection of the slot's worker (or connects) and writes the request in _request.</summary>
    private void Send(LoopSlot slot, long msgId, int length)
    {
        LoopConnection connection;
        try
        {
            connection = Borrow(slot.Worker);
        }
        catch (SocketException ex)
        {
            Fail(slot, "connect: " + ex.Message);
            return;
        }

        slot.MsgId = msgId;
        slot.CallStart = Stopwatch.GetTimestamp();
        connection.Owner = slot;
        nint written;
        fixed (byte* p = _request) written = Native.Write(connection.Fd, p, length);
        if (written == length) return;
        if (written < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Native.EAGAIN)
            {
                Fail(connection, $"write: errno {errno}");
                return;
            }

            written = 0;
        }

        // The socket buffer is full: keep the rest and ask epoll for EPOLLOUT.
        connection.Pending = _request.AsSpan((int)written, length - (int)written).ToArray();
        Control(connection, Native.EpollIn | Native.EpollOut);
    }

    private void FlushPending(LoopConnection connection)
    {
        byte[]? pending = connection.Pending;
        if (pending is null)
        {
            Control(connection, Native.EpollIn);
            return;
        }

        nint written;
        fixed (byte* p = pending) written = Native.Write(connection.Fd, p, pending.Length);
        if (written < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Native.EAGAIN) Fail(connection, $"write: errno {errno}");
            return;
        }

        if (written < pending.Length)
        {
            connection.Pending = pending.AsSpan((int)written).ToArray();
            return;
        }

        connection.Pending = null;
        Control(connection, Native.EpollIn);
    }

    private void OnReadable(LoopConnection connection)
    {
        if (connection.End == connection.Buffer.Length)
        {
            if (connection.Start > 0)
            {
                Buffer.BlockCopy(connection.Buffer, connection.Start, connection.Buffer, 0, connection.End - connection.Start);
                connection.End -= connection.Start;
                connection.Start = 0;
            }
            else
            {
                Array.Resize(ref connection.Buffer, connection.Buffer.Length * 2);
            }
        }

        nint read;
        fixed (byte* p = connection.Buffer) read = Native.Read(connection.Fd, p + connection.End, connection.Buffer.Length - connection.End);
        if (read < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Native.EAGAIN && errno != Native.EINTR) Fail(connection, $"read: errno {errno}");
            return;
        }

        if (read == 0)
        {
            Fail(connection, "no data (the server closed the connection)");
            return;
        }

        connection.End += (int)read;
        while (connection.End > connection.Start && !connection.Closed)
        {
            var sequence = new ReadOnlySequence<byte>(connection.Buffer, connection.Start, connection.End - connection.Start);
            FrameStatus status = RpcFramer.TryFindMessage(sequence, MaxMessage, 64, out long length);
            if (status == FrameStatus.NeedMoreData) break;
            if (status != FrameStatus.Complete)
            {
                Fail(connection, $"bad framing from the server: {status}");
                return;
            }

            var message = new ReadOnlyMemory<byte>(connection.Buffer, connection.Start, (int)length);
            connection.Start += (int)length;
            OnMessage(connection, message);
        }

        if (connection.Start == connection.End) connection.Start = connection.End = 0;
    }

    private void OnMessage(LoopConnection connection, ReadOnlyMemory<byte> message)
    {
        long kind, id;
        int count;
        try
        {
            var reader = new MessagePackReader(message);
            count = reader.ReadArrayHeader();
            kind = reader.ReadInt64();
            if (kind == 2)
            {
                connection.Notifications++; // serverPid
                return;
            }

            id = count >= 2 ? reader.ReadInt64() : -1;
        }
        catch (MessagePackSerializationException ex)
        {
            Fail(connection, "a message that is not [kind, msgid, ...]: " + ex.Message);
            return;
        }

        if (kind != 1 || count != 4)
        {
            Fail(connection, $"expected a response [1, msgid, error, result], got kind {kind} with {count} elements");
            return;
        }

        LoopSlot? slot = connection.Owner;
        if (slot is null)
        {
            Fail(connection, $"a response (msgid {id}) on an idle connection");
            return;
        }

        if (id != slot.MsgId)
        {
            Fail(connection, $"response msgid {id}, expected {slot.MsgId}");
            return;
        }

        long now = Stopwatch.GetTimestamp();
        string? error;
        long eventId;
        Instruction next;
        try
        {
            error = slot.Checker.ParseEventAnswer(message, slot.InHandleEvent ? -1 : slot.EventId, out eventId, out next);
        }
        catch (MessagePackSerializationException ex)
        {
            error = "MessagePackSerializationException: " + ex.Message;
            eventId = -1;
            next = Instruction.Unexpected;
        }

        if (slot.Measuring) (slot.InHandleEvent ? Handle : Calls).Record(ElapsedNs(slot.CallStart, now));

        // The answer is complete and read: the connection goes back to the pool before the next call (LIFO, so the
        // next call of this event usually takes it again).
        connection.Owner = null;
        slot.Worker.Idle.Add(connection);
        if (error is not null)
        {
            Fail(slot, slot.InHandleEvent ? "HandleEvent: " + error : $"Step {slot.Steps}: {error}");
            return;
        }

        if (slot.InHandleEvent)
        {
            slot.EventId = eventId;
            slot.InHandleEvent = false;
        }

        if (next == Instruction.Ret)
        {
            int expectedGets = slot.Worker.Workload.Calls - 1;
            if (slot.Gets != expectedGets || slot.Sets != 1)
            {
                Fail(slot, $"the handler made {slot.Gets} get_header and {slot.Sets} set_header calls; expected {expectedGets} and 1");
                return;
            }

            _state.EventDone(slot.Measuring, ElapsedNs(slot.EventStart, now), Events);
            StartEvent(slot);
            return;
        }

        if (++slot.Steps > 1000)
        {
            Fail(slot, "more than 1000 steps in one event");
            return;
        }

        bool withData = next == Instruction.GetHeader;
        if (withData) slot.Gets++;
        else if (next == Instruction.SetHeader) slot.Sets++;
        else
        {
            Fail(slot, "the server asked for an unexpected PDK call");
            return;
        }

        long msgId = slot.Worker.NextMsgId();
        int length = slot.Worker.Encoder.WriteStep(_request, msgId, slot.EventId, withData);
        Send(slot, msgId, length);
    }

    /// <summary>The slot's event failed: counted, and the slot starts its next event from the main loop.</summary>
    private void Fail(LoopSlot slot, string error)
    {
        _state.EventFailed(error);
        _restart.Enqueue(slot);
    }

    /// <summary>An I/O or framing failure on a connection: it is closed; the event using it (if any) fails. A
    /// connection failing while idle in the pool counts as an error too (Kong would fail its next call on it).</summary>
    private void Fail(LoopConnection connection, string error)
    {
        LoopSlot? owner = connection.Owner;
        Close(connection);
        if (owner is not null) Fail(owner, error);
        else _state.EventFailed("idle connection: " + error);
    }

    private LoopConnection Borrow(LoopWorker worker)
    {
        List<LoopConnection> idle = worker.Idle;
        if (idle.Count > 0)
        {
            LoopConnection last = idle[^1];
            idle.RemoveAt(idle.Count - 1);
            return last;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(_endPoint);
            socket.Blocking = false;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new LoopConnection(socket, _connections.Count, worker);
        _connections.Add(connection);
        worker.Opened++;
        Native.EpollEvent ev = new() { Events = Native.EpollIn, Data = (ulong)connection.Id };
        if (Native.EpollCtl(_epoll, Native.EpollCtlAdd, connection.Fd, &ev) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Close(connection);
            throw new SocketException(errno);
        }

        return connection;
    }

    private void Control(LoopConnection connection, uint events)
    {
        Native.EpollEvent ev = new() { Events = events, Data = (ulong)connection.Id };
        if (Native.EpollCtl(_epoll, Native.EpollCtlMod, connection.Fd, &ev) < 0)
        {
            Fail(connection, $"epoll_ctl: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private void Close(LoopConnection connection)
    {
        if (connection.Closed) return;
        connection.Closed = true;
        connection.Owner = null;
        _connections[connection.Id] = null;
        connection.Worker.Idle.Remove(connection);
        connection.Socket.Dispose(); // closing the descriptor removes it from the epoll set
    }

    /// <summary>One request and its response, blocking with poll(2): for StartInstance, before the loop runs.</summary>
    private ReadOnlyMemory<byte> BlockingCall(LoopConnection connection, ReadOnlySpan<byte> request, long msgId)
    {
        int sent = 0;
        while (sent < request.Length)
        {
            nint written;
            fixed (byte* p = request) written = Native.Write(connection.Fd, p + sent, request.Length - sent);
            if (written >= 0) sent += (int)written;
            else if (Marshal.GetLastPInvokeError() is int errno && errno != Native.EAGAIN && errno != Native.EINTR) throw new SocketException(errno);
            else Wait(connection, 0x004);
        }

        while (true)
        {
            if (connection.End > connection.Start)
            {
                var sequence = new ReadOnlySequence<byte>(connection.Buffer, connection.Start, connection.End - connection.Start);
                FrameStatus status = RpcFramer.TryFindMessage(sequence, MaxMessage, 64, out long length);
                if (status == FrameStatus.Complete)
                {
                    var message = new ReadOnlyMemory<byte>(connection.Buffer, connection.Start, (int)length);
                    connection.Start += (int)length;
                    var reader = new MessagePackReader(message);
                    int count = reader.ReadArrayHeader();
                    long kind = reader.ReadInt64();
                    if (kind == 2)
                    {
                        connection.Notifications++;
                        continue;
                    }

                    if (kind != 1 || count != 4) throw new ProtocolException($"expected a response [1, msgid, error, result], got kind {kind} with {count} elements");
                    long id = reader.ReadInt64();
                    if (id != msgId) throw new ProtocolException($"response msgid {id}, expected {msgId}");
                    if (connection.Start == connection.End) connection.Start = connection.End = 0;
                    return message; // valid until the next read on this connection
                }

                if (status != FrameStatus.NeedMoreData) throw new ProtocolException($"bad framing from the server: {status}");
            }

            if (connection.End == connection.Buffer.Length) Array.Resize(ref connection.Buffer, connection.Buffer.Length * 2);
            nint read;
            fixed (byte* p = connection.Buffer) read = Native.Read(connection.Fd, p + connection.End, connection.Buffer.Length - connection.End);
            if (read > 0) connection.End += (int)read;
            else if (read == 0) throw new ProtocolException("no data (the server closed the connection)");
            else if (Marshal.GetLastPInvokeError() is int errno && errno != Native.EAGAIN && errno != Native.EINTR) throw new SocketException(errno);
            else Wait(connection, Native.PollIn);
        }
    }

    private static void Wait(LoopConnection connection, short events)
    {
        Native.PollFd fd = new() { Fd = connection.Fd, Events = events };
        int n = Native.Poll(&fd, 1, BlockingCallTimeoutMs);
        if (n == 0) throw new ProtocolException($"no answer within {BlockingCallTimeoutMs / 1000} s");
        if (n < 0 && Marshal.GetLastPInvokeError() != Native.EINTR) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    private static long ElapsedNs(long start, long end)
        => (long)((end - start) * (1_000_000_000.0 / Stopwatch.Frequency));
}

/// <summary>A simulated nginx worker of the event-loop client: its LIFO pool of idle connections, its msgid
/// counter and its instance, all used by one loop thread only.</summary>
internal sealed class LoopWorker(Workload workload)
{
    public Workload Workload { get; } = workload;

    /// <summary>The pool: the last returned is the first borrowed.</summary>
    public List<LoopConnection> Idle { get; } = [];

    public RequestEncoder Encoder { get; set; } = null!;

    public int InstanceId { get; set; }

    public int Opened { get; set; }

    private long _msgId;

    public long NextMsgId() => ++_msgId;
}

/// <summary>One request in flight: the event it is playing and where it is.</summary>
internal sealed class LoopSlot(LoopWorker worker, KongSide checker)
{
    public LoopWorker Worker { get; } = worker;

    public KongSide Checker { get; } = checker;

    public bool Measuring;
    public bool InHandleEvent;
    public long EventStart;
    public long CallStart;
    public long MsgId;
    public long EventId;
    public int Gets;
    public int Sets;
    public int Steps;
}

/// <summary>A nonblocking connection of the event loop, with its receive buffer.</summary>
internal sealed class LoopConnection(Socket socket, int id, LoopWorker worker)
{
    public Socket Socket { get; } = socket;

    public int Fd { get; } = (int)socket.Handle;

    public int Id { get; } = id;

    public LoopWorker Worker { get; } = worker;

    public byte[] Buffer = new byte[16 * 1024];
    public int Start;
    public int End;
    public LoopSlot? Owner;
    public byte[]? Pending;
    public bool Closed;
    public int Notifications;
}
