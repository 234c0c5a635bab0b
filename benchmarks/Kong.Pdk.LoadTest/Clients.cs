using System.Diagnostics;

namespace Kong.Pdk.LoadTest;

/// <summary>How the load tool keeps its requests in flight (<c>--client-mode</c>).</summary>
internal enum ClientMode
{
    /// <summary>Event loops (epoll, nonblocking sockets): the default, cheapest per event.</summary>
    Loop,

    /// <summary>A blocking thread per request in flight: the earlier client, kept for comparison.</summary>
    Threads,
}

/// <summary>A client: plays Kong with <c>--concurrency</c> requests in flight until <see cref="RunState"/> stops.</summary>
internal interface IClient : IDisposable
{
    string Description { get; }

    int ConnectionsOpened { get; }

    void Start();

    /// <summary>Waits for the requests in flight to finish after the stop; warns about the ones that do not.</summary>
    void Join(TimeSpan timeout);

    void Merge(Histogram events, Histogram calls, Histogram handle);
}

/// <summary><c>--client-mode loop</c>: <c>--loops</c> threads, each an <see cref="EventLoop"/> serving some of the
/// simulated nginx workers (worker w on loop w mod loops; request i on worker i mod workers).</summary>
internal sealed class LoopClient : IClient
{
    private readonly EventLoop[] _loops;
    private readonly LoopWorker[] _workers;

    private LoopClient(EventLoop[] loops, LoopWorker[] workers)
    {
        _loops = loops;
        _workers = workers;
    }

    public string Description => $"{_loops.Length} event loop thread(s)";

    public int ConnectionsOpened => _workers.Sum(w => w.Opened);

    public static LoopClient Create(Options o, Workload workload, int workerCount, RunState state)
    {
        int loopCount = o.Loops > 0 ? Math.Min(o.Loops, workerCount) : workerCount;
        var loops = new EventLoop[loopCount];
        var workers = new LoopWorker[workerCount];
        var client = new LoopClient(loops, workers);
        try
        {
            for (int i = 0; i < loopCount; i++) loops[i] = new EventLoop(i, state, o.SocketPath!);
            for (int w = 0; w < workerCount; w++)
            {
                var worker = workers[w] = new LoopWorker(workload);
                // Each worker starts its own instance (kong-protocol.md §4.2), on a connection of its pool.
                worker.InstanceId = loops[w % loopCount].StartInstance(worker, new KongSide(workload));
                worker.Encoder = new RequestEncoder(workload, worker.InstanceId);
                if (worker.Encoder.SelfCheck(workload, worker.InstanceId) is string difference)
                {
                    throw new InvalidOperationException($"the precomputed request bytes differ from MessagePackWriter's: {difference}");
                }
            }

            for (int i = 0; i < o.Concurrency; i++)
            {
                LoopWorker worker = workers[i % workerCount];
                loops[Array.IndexOf(workers, worker) % loopCount].AddSlot(worker, new KongSide(workload));
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }

    public void Start()
    {
        foreach (EventLoop loop in _loops) loop.Start();
    }

    public void Join(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        foreach (EventLoop loop in _loops)
        {
            TimeSpan left = timeout - sw.Elapsed;
            if (!loop.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero)) Console.Error.WriteLine($"warning: {loop.Name} did not finish (a call is stuck)");
        }
    }

    public void Merge(Histogram events, Histogram calls, Histogram handle)
    {
        foreach (EventLoop loop in _loops)
        {
            events.Add(loop.Events);
            calls.Add(loop.Calls);
            handle.Add(loop.Handle);
        }
    }

    public void Dispose()
    {
        foreach (EventLoop? loop in _loops) loop?.Dispose();
    }
}

/// <summary><c>--client-mode threads</c>: a blocking thread per request in flight, sharing each simulated nginx
/// worker's pool under a lock. Costs a thread wake-up per round trip in the load tool.</summary>
internal sealed class ThreadClient : IClient
{
    private readonly SimulatedWorker[] _workers;
    private readonly Thread[] _threads;
    private readonly Slot[] _slots;

    private ThreadClient(SimulatedWorker[] workers, Thread[] threads, Slot[] slots)
    {
        _workers = workers;
        _threads = threads;
        _slots = slots;
    }

    public string Description => $"{_threads.Length} client threads";

    public int ConnectionsOpened => _workers.Sum(w => w.ConnectionsOpened);

    public static ThreadClient Create(Options o, Workload workload, int workerCount, RunState state)
    {
        var workers = new SimulatedWorker[workerCount];
        for (int i = 0; i < workerCount; i++)
        {
            workers[i] = new SimulatedWorker(i, o.SocketPath!);
            // Each worker starts its own instance (kong-protocol.md §4.2).
            workers[i].InstanceId = new KongSide(workload).StartInstance(workers[i]);
        }

        var slots = new Slot[o.Concurrency];
        var threads = new Thread[o.Concurrency];
        for (int i = 0; i < o.Concurrency; i++)
        {
            var slot = slots[i] = new Slot(new KongSide(workload), workers[i % workerCount]);
            threads[i] = new Thread(() => Loop(slot, state)) { IsBackground = true, Name = $"kong-{i}" };
        }

        return new ThreadClient(workers, threads, slots);
    }

    private static void Loop(Slot slot, RunState state)
    {
        while (true)
        {
            int p = state.Phase;
            if (p == RunState.Stop) return;
            bool measuring = p == RunState.Measure;
            long t0 = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                error = slot.Side.RunEvent(slot.Worker, measuring ? slot.Calls : null, measuring ? slot.Handle : null);
            }
            catch (Exception ex) when (ex is ProtocolException or System.Net.Sockets.SocketException or MessagePack.MessagePackSerializationException or ObjectDisposedException)
            {
                error = ex.GetType().Name + ": " + ex.Message;
            }

            if (error is not null)
            {
                state.EventFailed(error);
                continue;
            }

            state.EventDone(measuring, (long)((Stopwatch.GetTimestamp() - t0) * (1_000_000_000.0 / Stopwatch.Frequency)), slot.Events);
        }
    }

    public void Start()
    {
        foreach (Thread t in _threads) t.Start();
    }

    public void Join(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        foreach (Thread t in _threads)
        {
            TimeSpan left = timeout - sw.Elapsed;
            if (!t.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero)) Console.Error.WriteLine($"warning: {t.Name} did not finish (a call is stuck)");
        }
    }

    public void Merge(Histogram events, Histogram calls, Histogram handle)
    {
        foreach (Slot s in _slots)
        {
            events.Add(s.Events);
            calls.Add(s.Calls);
            handle.Add(s.Handle);
        }
    }

    public void Dispose()
    {
        foreach (SimulatedWorker w in _workers) w.CloseAll();
    }

    private sealed class Slot(KongSide side, SimulatedWorker worker)
    {
        public KongSide Side { get; } = side;

        public SimulatedWorker Worker { get; } = worker;

        public Histogram Events { get; } = new();

        public Histogram Calls { get; } = new();

        public Histogram Handle { get; } = new();
    }
}
