using System.Buffers;
using System.Diagnostics;
using MessagePack;

namespace Kong.Pdk.LoadTest;

/// <summary>One simulated nginx worker: a LIFO pool of idle connections and Kong's per-Rpc-object msgid counter
/// (kong-protocol.md §3.2, §3.4). Each call borrows a connection (or connects), and returns it afterwards.</summary>
internal sealed class SimulatedWorker(int number, string socketPath)
{
    private readonly Stack<KongConnection> _idle = new();
    private long _msgId;
    private int _opened;

    public int Number { get; } = number;

    public int InstanceId { get; set; }

    public int ConnectionsOpened => Volatile.Read(ref _opened);

    public long NextMsgId() => Interlocked.Increment(ref _msgId);

    public KongConnection Borrow()
    {
        lock (_idle)
        {
            if (_idle.TryPop(out KongConnection? connection)) return connection;
        }

        Interlocked.Increment(ref _opened);
        return KongConnection.Connect(socketPath);
    }

    public void Return(KongConnection connection)
    {
        lock (_idle) _idle.Push(connection);
    }

    public void CloseAll()
    {
        lock (_idle)
        {
            while (_idle.TryPop(out KongConnection? connection)) connection.Dispose();
        }
    }
}

/// <summary>What a HandleEvent or Step answer asked for.</summary>
internal enum Instruction
{
    Ret,
    GetHeader,
    SetHeader,
    Unexpected,
}

/// <summary>
/// Kong's side of one request in the access phase (kong-protocol.md §4.6): HandleEvent, then one Step per PDK
/// call until "ret". Every answer is checked against the <see cref="Workload"/>; a wrong answer fails the event.
/// <see cref="RunEvent"/> is the blocking client (<c>--client-mode threads</c>); the event loop
/// (<see cref="EventLoop"/>) uses <see cref="ParseEventAnswer"/> and <see cref="RequestEncoder"/>.
/// </summary>
internal sealed class KongSide
{
    private readonly Workload _workload;
    private readonly ArrayBufferWriter<byte> _request = new(1024);

    public KongSide(Workload workload) => _workload = workload;

    /// <summary>plugin.StartInstance; returns the instance id.</summary>
    public int StartInstance(SimulatedWorker worker)
    {
        long msgId = worker.NextMsgId();
        return ParseStartInstance(Call(worker, EncodeStartInstance(msgId), msgId));
    }

    /// <summary><c>[0, msgid, "plugin.StartInstance", [{Name, Config}]]</c>, valid until the next request.</summary>
    public ReadOnlySpan<byte> EncodeStartInstance(long msgId)
    {
        _request.ResetWrittenCount();
        var w = NewWriter();
        w.WriteArrayHeader(4);
        w.Write(0);
        w.Write(msgId);
        w.WriteString("plugin.StartInstance"u8);
        w.WriteArrayHeader(1);
        w.WriteMapHeader(2);
        w.WriteString("Name"u8);
        w.Write(_workload.Plugin);
        w.WriteString("Config"u8);
        w.Write(_workload.ConfigJson);
        w.Flush();
        return _request.WrittenSpan;
    }

    /// <summary>The instance id in a StartInstance response.</summary>
    /// <exception cref="ProtocolException">An RPC error, or no Id.</exception>
    public int ParseStartInstance(ReadOnlyMemory<byte> response)
    {
        var r = new MessagePackReader(response);
        SkipResponseHeader(ref r);
        if (r.NextMessagePackType != MessagePackType.Map) throw new ProtocolException("StartInstance: the result is not a map");
        int keys = r.ReadMapHeader();
        long id = -1;
        for (int i = 0; i < keys; i++)
        {
            if (r.NextMessagePackType == MessagePackType.String && StrEquals(ref r, "Id"u8)) id = r.ReadInt64();
            else r.Skip();
        }

        if (id < 0) throw new ProtocolException("StartInstance: no Id in the result");
        return (int)id;
    }

    /// <summary>Runs one event. Returns null on success, or the reason it failed.</summary>
    public string? RunEvent(SimulatedWorker worker, Histogram? callLatency, Histogram? handleLatency)
    {
        long msgId = worker.NextMsgId();
        _request.ResetWrittenCount();
        var w = NewWriter();
        w.WriteArrayHeader(4);
        w.Write(0);
        w.Write(msgId);
        w.WriteString("plugin.HandleEvent"u8);
        w.WriteArrayHeader(1);
        w.WriteMapHeader(2);
        w.WriteString("InstanceId"u8);
        w.Write(worker.InstanceId);
        w.WriteString("EventName"u8);
        w.WriteString("access"u8);
        w.Flush();

        long t0 = Stopwatch.GetTimestamp();
        ReadOnlyMemory<byte> response = Call(worker, _request.WrittenSpan, msgId);
        handleLatency?.Record(ElapsedNs(t0));
        string? error = ParseEventAnswer(response, -1, out long eventId, out Instruction next);
        if (error is not null) return "HandleEvent: " + error;

        int gets = 0, sets = 0, steps = 0;
        while (next != Instruction.Ret)
        {
            if (++steps > 1000) return "more than 1000 steps in one event";
            msgId = worker.NextMsgId();
            _request.ResetWrittenCount();
            w = NewWriter();
            w.WriteArrayHeader(4);
            w.Write(0);
            w.Write(msgId);
            w.WriteString("plugin.Step"u8);
            w.WriteArrayHeader(1);
            bool hasData = next == Instruction.GetHeader;
            w.WriteMapHeader(hasData ? 2 : 1);
            w.WriteString("EventId"u8);
            w.Write(eventId);
            if (hasData)
            {
                w.WriteString("Data"u8);
                w.WriteString(_workload.HostUtf8);
                gets++;
            }
            else if (next == Instruction.SetHeader)
            {
                sets++;
            }
            else
            {
                return "the server asked for an unexpected PDK call";
            }

            w.Flush();
            long tc = Stopwatch.GetTimestamp();
            response = Call(worker, _request.WrittenSpan, msgId);
            callLatency?.Record(ElapsedNs(tc));
            error = ParseEventAnswer(response, eventId, out _, out next);
            if (error is not null) return $"Step {steps}: {error}";
        }

        if (gets != _workload.Calls - 1 || sets != 1)
        {
            return $"the handler made {gets} get_header and {sets} set_header calls; expected {_workload.Calls - 1} and 1";
        }

        return null;
    }

    private MessagePackWriter NewWriter()
    {
        // OldSpec: no str8, as lua-MessagePack in "compatible" mode writes (fixstr, str16, str32).
        return new MessagePackWriter(_request) { OldSpec = true };
    }

    private ReadOnlyMemory<byte> Call(SimulatedWorker worker, ReadOnlySpan<byte> request, long msgId)
    {
        KongConnection connection = worker.Borrow();
        ReadOnlyMemory<byte> response;
        try
        {
            response = connection.Call(request, msgId);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        // The answer is decoded before the next use of this connection by this thread; Kong likewise returns the
        // connection before looking at the result. Copy it out, since another thread may borrow the connection.
        byte[] copy = _scratch.Length >= response.Length ? _scratch : _scratch = new byte[response.Length * 2];
        response.Span.CopyTo(copy);
        worker.Return(connection);
        return new ReadOnlyMemory<byte>(copy, 0, response.Length);
    }

    private byte[] _scratch = new byte[4096];

    private static void SkipResponseHeader(ref MessagePackReader r)
    {
        r.ReadArrayHeader();
        r.ReadInt64();
        r.ReadInt64();
        if (!r.TryReadNil())
        {
            string? message = r.NextMessagePackType == MessagePackType.String ? r.ReadString() : "(error is not a string)";
            throw new ProtocolException("error from the server: " + message);
        }
    }

    /// <summary>Reads <c>[1, msgid, nil, {EventId, Data}]</c> and checks the instruction in Data: null when the answer
    /// is right, else the reason. With <paramref name="expectedEventId"/> -1 (a HandleEvent answer) any EventId is
    /// taken and returned.</summary>
    public string? ParseEventAnswer(ReadOnlyMemory<byte> response, long expectedEventId, out long eventId, out Instruction next)
    {
        eventId = -1;
        next = Instruction.Unexpected;
        var r = new MessagePackReader(response);
        r.ReadArrayHeader();
        r.ReadInt64();
        r.ReadInt64();
        if (!r.TryReadNil())
        {
            return "RPC error: " + (r.NextMessagePackType == MessagePackType.String ? r.ReadString() : "(not a string)");
        }

        if (r.NextMessagePackType != MessagePackType.Map) return "the result is not a map";
        int keys = r.ReadMapHeader();
        bool hasData = false;
        string? problem = null;
        for (int i = 0; i < keys; i++)
        {
            if (r.NextMessagePackType != MessagePackType.String)
            {
                r.Skip();
                r.Skip();
                continue;
            }

            if (StrEquals(ref r, "EventId"u8))
            {
                eventId = r.ReadInt64();
            }
            else if (StrEquals(ref r, "Data"u8, alreadyRead: true))
            {
                hasData = true;
                problem = ParseData(ref r, out next);
            }
            else
            {
                r.Skip();
            }
        }

        if (!hasData) return "the result has no Data";
        if (problem is not null) return problem;
        if (expectedEventId >= 0 && eventId != expectedEventId) return $"EventId {eventId}, expected {expectedEventId}";
        if (expectedEventId < 0 && eventId < 0) return "HandleEvent result without EventId";
        return null;
    }

    private string? ParseData(ref MessagePackReader r, out Instruction next)
    {
        next = Instruction.Unexpected;
        if (r.NextMessagePackType == MessagePackType.String)
        {
            if (StrEquals(ref r, "ret"u8)) next = Instruction.Ret;
            return next == Instruction.Ret ? null : "Data is a string other than \"ret\"";
        }

        if (r.NextMessagePackType != MessagePackType.Map)
        {
            r.Skip();
            return "Data is neither \"ret\" nor a call map";
        }

        int keys = r.ReadMapHeader();
        bool get = false, set = false;
        // Args may come before Method: remember where they are.
        MessagePackReader args = default;
        bool hasArgs = false;
        for (int i = 0; i < keys; i++)
        {
            if (r.NextMessagePackType != MessagePackType.String)
            {
                r.Skip();
                r.Skip();
                continue;
            }

            ReadOnlySequence<byte> key = r.ReadStringSequence()!.Value;
            if (SeqEquals(key, "Method"u8))
            {
                if (r.NextMessagePackType != MessagePackType.String)
                {
                    r.Skip();
                    continue;
                }

                ReadOnlySequence<byte> method = r.ReadStringSequence()!.Value;
                get = SeqEquals(method, Workload.GetHeaderMethod);
                set = SeqEquals(method, Workload.SetHeaderMethod);
            }
            else if (SeqEquals(key, "Args"u8))
            {
                args = r.CreatePeekReader();
                hasArgs = true;
                r.Skip();
            }
            else
            {
                r.Skip();
            }
        }

        if (!get && !set) return "Data calls a PDK method other than get_header/set_header";
        if (!hasArgs) return "the call has no Args";
        MessagePackReader a = args;
        if (a.NextMessagePackType != MessagePackType.Array) return "Args is not an array";
        int count = a.ReadArrayHeader();
        if (get)
        {
            if (count != 1 || !StrEquals(ref a, Workload.HeaderName)) return "wrong get_header arguments";
            next = Instruction.GetHeader;
            return null;
        }

        if (count != 2 || !StrEquals(ref a, Workload.ResponseHeaderName) || !StrEquals(ref a, _workload.ExpectedHeaderValueUtf8))
        {
            return "wrong set_header arguments";
        }

        next = Instruction.SetHeader;
        return null;
    }

    private ReadOnlySequence<byte> _lastKey;

    /// <summary>Reads a string and compares it; with <paramref name="alreadyRead"/>, compares the key read by the
    /// previous (failed) call instead of reading again.</summary>
    private bool StrEquals(ref MessagePackReader r, ReadOnlySpan<byte> expected, bool alreadyRead = false)
    {
        if (!alreadyRead)
        {
            if (r.NextMessagePackType != MessagePackType.String)
            {
                r.Skip();
                _lastKey = default;
                return false;
            }

            _lastKey = r.ReadStringSequence() ?? default;
        }

        return SeqEquals(_lastKey, expected);
    }

    private static bool SeqEquals(in ReadOnlySequence<byte> value, ReadOnlySpan<byte> expected)
    {
        if (value.Length != expected.Length) return false;
        if (value.IsSingleSegment) return value.FirstSpan.SequenceEqual(expected);
        return value.ToArray().AsSpan().SequenceEqual(expected);
    }

    private static long ElapsedNs(long start)
        => (long)((Stopwatch.GetTimestamp() - start) * (1_000_000_000.0 / Stopwatch.Frequency));
}
