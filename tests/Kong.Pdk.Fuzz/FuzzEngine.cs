using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Kong.Pdk.Hosting;
using Kong.Pdk.Protocol;
using Kong.Pdk.Server;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Fuzz;

/// <summary>What a fuzz run saw.</summary>
public sealed record FuzzReport(long Inputs, long Answers, long Closes, long Incomplete, long Hangs, long MalformedAnswers,
    int EventsLeft, int InstancesLeft, int UnexpectedLogLines, bool FinalRequestServed, TimeSpan Elapsed)
{
    public bool Passed => Hangs == 0 && MalformedAnswers == 0 && EventsLeft == 0 && InstancesLeft == 0 && UnexpectedLogLines == 0 && FinalRequestServed;

    public override string ToString() =>
        $"{Inputs:N0} inputs in {Elapsed.TotalSeconds:F1} s ({Inputs / Math.Max(Elapsed.TotalSeconds, 0.001):N0}/s): {Answers:N0} answered, " +
        $"{Closes:N0} connections closed by the server, {Incomplete:N0} incomplete frames abandoned; hangs {Hangs}, malformed answers {MalformedAnswers}, " +
        $"events left {EventsLeft}, instances left {InstancesLeft}, unexpected log lines {UnexpectedLogLines}, final request served {FinalRequestServed}";
}

/// <summary>
/// Feeds a live in-process plugin server truncated, oversized, deeply nested, wrong-typed and random frames, mutated
/// recordings of valid calls, and random interleavings of valid calls (unknown ids, steps for finished events,
/// duplicate HandleEvent), from several connections at once. Every complete frame must be answered with a
/// well-formed response or make the server close the connection within a bound; afterwards the registries must
/// return to their baseline and the server must still serve.
/// </summary>
public sealed class FuzzEngine
{
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(10);
    private static readonly string[] Phases = ["access", "rewrite", "response", "log", "certificate", "preread", "header_filter", ""];
    private static readonly string[] Modes = ["exit", "throw", "hang", "headers", "x", "", "\u00ff"];
    private static readonly string[] Methods =
        ["plugin.StartInstance", "plugin.CloseInstance", "plugin.HandleEvent", "plugin.Step", "plugin.StepMultiMap", "plugin.StepError",
         "plugin.GetStatus", "plugin.InstanceStatus", "plugin.GetPluginInfo", "plugin.Nope", "plugin.", "", "plugin.StepX"];

    private readonly int _seed;
    private readonly KongConnectionMode _mode;
    private long _inputs, _answers, _closes, _incomplete, _hangs, _malformed, _msgId;

    public FuzzEngine(int seed, KongConnectionMode mode = KongConnectionMode.Thread)
    {
        _seed = seed;
        _mode = mode;
    }

    /// <summary>Runs until <paramref name="inputs"/> inputs were sent or <paramref name="duration"/> passed.</summary>
    public async Task<FuzzReport> RunAsync(long inputs, TimeSpan duration, int workers, Action<string>? progress = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "kfz-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        string socketPath = Path.Combine(directory, "fuzz.socket");
        var log = new StringWriter();
        var options = new KongServerOptions
        {
            MaxMessageSize = 64 * 1024,
            MaxNestingDepth = 16,
            EventIdleTimeout = TimeSpan.FromMilliseconds(500),
            HandlerDeadline = TimeSpan.FromMilliseconds(500),
            InstanceIdleTtl = TimeSpan.FromMinutes(10),
            SweepInterval = TimeSpan.FromMilliseconds(50),
            ShutdownTimeout = TimeSpan.FromMilliseconds(200),
            ConnectionMode = _mode,
        };
        var server = new PluginServer([new FuzzPlugin()], options, new ServerLog("fuzz", KongLogLevel.Warn, TextWriter.Synchronized(log)));
        using var stop = new CancellationTokenSource();
        Socket listener = server.Bind(socketPath);
        Task run = server.RunAsync(listener, socketPath, stop.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long deadline = Environment.TickCount64 + (long)duration.TotalMilliseconds;
        try
        {
            using var progressTimer = new Timer(_ => progress?.Invoke($"{Interlocked.Read(ref _inputs):N0} inputs, {server.Events.Count} events, {server.Instances.Count} instances"), null, 2000, 2000);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkerAsync(socketPath, _seed * 7919 + w, inputs, deadline)));

            // Back to baseline: close every instance the fuzz may have started, let abandoned events expire.
            await using (var cleanup = await FuzzConnection.ConnectAsync(socketPath))
            {
                foreach (PluginInstance instance in server.Instances.Snapshot().ToList())
                {
                    await cleanup.SendAsync(Mp.Encode(new object?[] { 0L, NextId(), "plugin.CloseInstance", new object?[] { (long)instance.Id } }));
                    await cleanup.ReadAsync(AnswerBound);
                }
            }

            long settle = Environment.TickCount64 + 10_000;
            while ((server.Events.Count > 0 || server.Instances.Snapshot().Any(i => i.RunningEvents > 0)) && Environment.TickCount64 < settle)
            {
                await Task.Delay(50);
            }

            int eventsLeft = server.Events.Count;
            bool finalServed = await FinalRequestAsync(socketPath);
            await using (var closer = await FuzzConnection.ConnectAsync(socketPath))
            {
                await closer.SendAsync(Mp.Encode(new object?[] { 0L, NextId(), "plugin.CloseInstance", new object?[] { 4242L } }));
                await closer.ReadAsync(AnswerBound);
            }

            server.Log.Flush(TimeSpan.FromSeconds(10));
            string[] unexpectedLines = log.ToString().Split('\n').Where(line => line.Contains("unexpected failure", StringComparison.Ordinal) || line.Contains("timeout check failed", StringComparison.Ordinal)).ToArray();
            int unexpected = unexpectedLines.Length;
            foreach (string line in unexpectedLines.Take(3)) progress?.Invoke("unexpected: " + line);
            return new FuzzReport(_inputs, _answers, _closes, _incomplete, _hangs, _malformed, eventsLeft, server.Instances.Count, unexpected, finalServed, clock.Elapsed);
        }
        finally
        {
            stop.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<bool> FinalRequestAsync(string socketPath)
    {
        await using var kong = await FuzzConnection.ConnectAsync(socketPath);
        await kong.SendAsync(Mp.Encode(new object?[] { 0L, 1L, "plugin.StartInstance", new object?[] { Mp.Map("Name", "fuzz", "Config", """{"__seq__":4242}""") } }));
        object? answer = await kong.ReadAsync(AnswerBound);
        if (answer is not object?[] { Length: 4 } started || started[2] is not null) return false;
        await kong.SendAsync(Mp.Encode(new object?[] { 0L, 2L, "plugin.HandleEvent", new object?[] { Mp.Map("InstanceId", 4242L, "EventName", "access") } }));
        if (await kong.ReadAsync(AnswerBound) is not object?[] { Length: 4 } call || call[3] is not Dictionary<object, object?> reply) return false;
        await kong.SendAsync(Mp.Encode(new object?[] { 0L, 3L, "plugin.Step", new object?[] { Mp.Map("EventId", reply["EventId"]) } }));
        return await kong.ReadAsync(AnswerBound) is object?[] { Length: 4 } ret && ret[3] is Dictionary<object, object?> end && Equals(end["Data"], "ret");
    }

    private long NextId() => Interlocked.Increment(ref _msgId);

    private async Task WorkerAsync(string socketPath, int seed, long inputs, long deadline)
    {
        var random = new Random(seed);
        FuzzConnection? connection = null;
        var eventIds = new List<long> { 1, 2, 12345 };
        try
        {
            while (Interlocked.Read(ref _inputs) < inputs && Environment.TickCount64 < deadline)
            {
                connection ??= await FuzzConnection.ConnectAsync(socketPath);
                byte[] input = NextInput(random, eventIds);
                Interlocked.Increment(ref _inputs);
                var sequence = new ReadOnlySequence<byte>(input);
                FrameStatus status = RpcFramer.TryFindMessage(sequence, 64 * 1024, 16, out long length);
                await connection.SendAsync(input);
                if (status == FrameStatus.NeedMoreData)
                {
                    // A valid prefix: the server rightly waits for more. Abandon the connection (EOF mid-message).
                    Interlocked.Increment(ref _incomplete);
                    await connection.DisposeAsync();
                    connection = null;
                    continue;
                }

                // A complete frame (or a framing violation) must be answered, or the connection closed, within the bound.
                for (int i = 0; i < 1; i++)
                {
                    object? answer;
                    try
                    {
                        answer = await connection.ReadAsync(AnswerBound);
                    }
                    catch (EndOfStreamException)
                    {
                        Interlocked.Increment(ref _closes);
                        await connection.DisposeAsync();
                        connection = null;
                        break;
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref _hangs);
                        await connection.DisposeAsync();
                        connection = null;
                        break;
                    }
                    catch (SocketException)
                    {
                        Interlocked.Increment(ref _closes);
                        await connection.DisposeAsync();
                        connection = null;
                        break;
                    }

                    if (answer is not object?[] { Length: 4 } response || !Equals(response[0], 1L) || response[1] is not long || response[2] is not (null or string)
                        || (response[2] is null && response[3] is null))
                    {
                        Interlocked.Increment(ref _malformed);
                        continue;
                    }

                    Interlocked.Increment(ref _answers);
                    if (response[3] is Dictionary<object, object?> map && map.TryGetValue("EventId", out object? id) && id is long eventId)
                    {
                        eventIds.Add(eventId);
                        if (eventIds.Count > 64) eventIds.RemoveAt(0);
                    }
                }

                if (connection is not null && (status != FrameStatus.Complete || length != input.Length))
                {
                    // Trailing bytes after a complete frame may begin another message: start afresh.
                    await connection.DisposeAsync();
                    connection = null;
                }
            }
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    private byte[] NextInput(Random random, List<long> eventIds)
    {
        int kind = random.Next(100);
        if (kind < 45) return ValidCall(random, eventIds);
        if (kind < 70) return Mutate(random, ValidCall(random, eventIds));
        if (kind < 78) return RandomBytes(random);
        if (kind < 84) return Deep(random);
        if (kind < 88) return Oversized(random);
        return WrongTyped(random);
    }

    private byte[] ValidCall(Random random, List<long> eventIds)
    {
        long msgId = NextId();
        long instance = random.Next(0, 24);
        long eventId = eventIds[random.Next(eventIds.Count)];
        object? param = random.Next(9) switch
        {
            0 => Mp.Map("Name", random.Next(6) == 0 ? "other" : "fuzz", "Config", random.Next(8) switch
            {
                0 => "not json",
                1 => """{"throw":1}""",
                2 => "[]",
                _ => $$"""{"__seq__":{{random.Next(0, 24)}},"__key__":"k","x":{{random.Next()}}}""",
            }),
            1 => instance,
            2 => Mp.Map("InstanceId", instance, "EventName", Phases[random.Next(Phases.Length)]),
            3 or 4 or 5 => random.Next(5) == 0 ? Mp.Map("EventId", eventId) : Mp.Map("EventId", eventId, "Data", random.Next(3) == 0 ? Modes[random.Next(Modes.Length)] : RandomValue(random, 3)),
            6 => "fuzz",
            7 => Mp.Map("InstanceId", instance),
            _ => RandomValue(random, 2),
        };
        string method = random.Next(10) switch
        {
            < 2 => "plugin.StartInstance",
            < 4 => "plugin.HandleEvent",
            < 7 => random.Next(4) == 0 ? "plugin.StepError" : random.Next(3) == 0 ? "plugin.StepMultiMap" : "plugin.Step",
            7 => "plugin.CloseInstance",
            _ => Methods[random.Next(Methods.Length)],
        };
        return Mp.Encode(new object?[] { 0L, msgId, method, new object?[] { param } });
    }

    private static byte[] Mutate(Random random, byte[] bytes)
    {
        byte[] copy = (byte[])bytes.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (int i = 0; i < 1 + random.Next(3); i++) copy[random.Next(copy.Length)] = (byte)random.Next(256);
                return copy;
            case 1:
                return copy[..random.Next(copy.Length)];
            case 2:
                int at = random.Next(copy.Length);
                byte[] insert = new byte[random.Next(1, 8)];
                random.NextBytes(insert);
                return [.. copy[..at], .. insert, .. copy[at..]];
            default:
                copy[random.Next(Math.Min(4, copy.Length))] ^= (byte)(1 << random.Next(8));
                return copy;
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(1, 48)];
        random.NextBytes(bytes);
        if (random.Next(2) == 0) bytes[0] = (byte)(0x90 | random.Next(16));
        return bytes;
    }

    private byte[] Deep(Random random)
    {
        object? value = "x";
        int depth = random.Next(10, 40);
        for (int i = 0; i < depth; i++) value = random.Next(2) == 0 ? new object?[] { value } : Mp.Map("k", value);
        return Mp.Encode(new object?[] { 0L, NextId(), "plugin.Step", new object?[] { Mp.Map("EventId", 1L, "Data", value) } });
    }

    private byte[] Oversized(Random random)
        => Mp.Encode(new object?[] { 0L, NextId(), "plugin.Step", new object?[] { Mp.Map("EventId", 1L, "Data", new string('x', 64 * 1024 + random.Next(1000))) } });

    private byte[] WrongTyped(Random random)
    {
        object?[][] shapes =
        [
            [0L, NextId(), "plugin.HandleEvent", new object?[] { Mp.Map("InstanceId", "7", "EventName", 3L) }],
            [0L, NextId(), "plugin.StartInstance", new object?[] { Mp.Map("Name", 5L, "Config", new object?[] { 1L }) }],
            [0L, NextId(), "plugin.Step", new object?[] { Mp.Map("EventId", -1L, "Data", 1.5) }],
            [0L, NextId(), "plugin.Step", new object?[] { Mp.Map("EventId", long.MaxValue) }],
            [0L, NextId(), "plugin.CloseInstance", new object?[] { Mp.Map("a", 1L) }],
            [0L, NextId(), "plugin.HandleEvent", Mp.Map("InstanceId", 1L)],
            [0L, NextId(), 42L, Array.Empty<object?>()],
            [0L, NextId(), "plugin.GetStatus"],
            [1L, NextId(), null, null],
            [0L, -5L, "plugin.GetStatus", Array.Empty<object?>()],
        ];
        return Mp.Encode(shapes[random.Next(shapes.Length)]);
    }

    private static object? RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 0 ? 10 : 7))
        {
            case 0: return null;
            case 1: return random.Next(2) == 0;
            case 2: return (long)random.Next(int.MinValue, int.MaxValue);
            case 3: return random.NextDouble() * 1000;
            case 4: return new string((char)random.Next(32, 127), random.Next(0, 40));
            case 5:
                byte[] raw = new byte[random.Next(0, 20)];
                random.NextBytes(raw);
                return raw;
            case 6: return new MpStrBytes([0xff, 0xfe, (byte)random.Next(256)]);
            case 7:
            case 8:
                return Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomValue(random, depth - 1)).ToArray();
            default:
                var map = new Dictionary<object, object?>();
                for (int i = random.Next(0, 5); i > 0; i--) map["k" + random.Next(10)] = RandomValue(random, depth - 1);
                return map;
        }
    }

}

/// <summary>A client connection that skips the serverPid notification and reads whole values with a bound.</summary>
internal sealed class FuzzConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[8192];
    private int _count;

    private FuzzConnection(Socket socket) => _socket = socket;

    public static async Task<FuzzConnection> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cts.Token);
        var connection = new FuzzConnection(socket);
        await connection.ReadAsync(TimeSpan.FromSeconds(10)); // serverPid
        return connection;
    }

    public async Task SendAsync(byte[] bytes)
    {
        try
        {
            int sent = 0;
            while (sent < bytes.Length) sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
        catch (SocketException)
        {
            // The server closed the connection (a limit): the read reports it.
        }
    }

    public async Task<object?> ReadAsync(TimeSpan bound)
    {
        using var cts = new CancellationTokenSource(bound);
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_buffer, 0, _count);
            if (RpcFramer.TryFindMessage(sequence, int.MaxValue, 256, out long length) == FrameStatus.Complete)
            {
                object? value = Mp.Decode(_buffer.AsSpan(0, (int)length).ToArray());
                Buffer.BlockCopy(_buffer, (int)length, _buffer, 0, _count - (int)length);
                _count -= (int)length;
                return value;
            }

            if (_count == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int read = await _socket.ReceiveAsync(_buffer.AsMemory(_count), SocketFlags.None, cts.Token);
            if (read == 0) throw new EndOfStreamException();
            _count += read;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
