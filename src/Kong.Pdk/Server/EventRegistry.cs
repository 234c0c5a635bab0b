namespace Kong.Pdk.Server;

/// <summary>
/// Process-wide map of event id to running event, and the pool of event cores. Kong reads the event id from the
/// HandleEvent answer and echoes it in every step, on whichever connection it borrowed; nothing about an event belongs
/// to a connection. Ids come from a wrapping positive int31 counter that skips ids in use. A served process starts the
/// counter at a random point (<see cref="RandomStart"/>): during <c>kong reload</c> the old workers' steps may reach the
/// new server on fresh connections, and a counter starting at 1 in both processes would let such a step match another
/// request's live event here. With random starts it gets "no running event" instead.
/// </summary>
/// <remarks>A <see cref="Dictionary{TKey, TValue}"/> under a lock rather than a concurrent dictionary: adding an entry
/// allocates nothing (freed entries are reused), where a concurrent dictionary allocates a node per event. Every
/// operation is a few dozen nanoseconds under the lock.</remarks>
internal sealed class EventRegistry
{
    /// <summary>Cores kept for reuse at most; more finished at once (a burst) are left to the GC.</summary>
    internal const int PoolCapacity = 1024;

    private readonly object _lock = new();
    private readonly Dictionary<int, EventCore> _events = [];
    private readonly EventCore[] _pool = new EventCore[PoolCapacity];
    private int _pooled;
    private int _lastId;

    /// <summary>Creates a registry whose first id is <paramref name="lastId"/> + 1 (tests use 0: ids from 1).</summary>
    public EventRegistry(int lastId = 0) => _lastId = lastId;

    /// <summary>A random starting point for a served process, far enough from the wrap to leave 2^30 ids.</summary>
    public static int RandomStart() => Random.Shared.Next(1, 1 << 30);

    public int Count
    {
        get
        {
            lock (_lock) return _events.Count;
        }
    }

    /// <summary>Cores waiting in the pool (for tests).</summary>
    internal int Pooled
    {
        get
        {
            lock (_lock) return _pooled;
        }
    }

    public bool TryGet(int id, out EventCore ev)
    {
        lock (_lock) return _events.TryGetValue(id, out ev!);
    }

    /// <summary>A core from the pool, or a new one.</summary>
    public EventCore Rent(PluginServer server)
    {
        lock (_lock)
        {
            if (_pooled > 0)
            {
                EventCore core = _pool[--_pooled];
                _pool[_pooled] = null!;
                return core;
            }
        }

        return new EventCore(server);
    }

    /// <summary>Takes back a core whose event is finished and whose handler has returned.</summary>
    public void Return(EventCore core)
    {
        core.PrepareForReuse();
        lock (_lock)
        {
            if (_pooled < PoolCapacity) _pool[_pooled++] = core;
        }
    }

    /// <summary>Gives <paramref name="ev"/> a fresh id not in use and registers it.</summary>
    public void Add(EventCore ev)
    {
        lock (_lock)
        {
            while (true)
            {
                int id = ++_lastId;
                if (id <= 0)
                {
                    _lastId = 0;
                    continue;
                }

                if (_events.TryAdd(id, ev))
                {
                    ev.Id = id;
                    return;
                }
            }
        }
    }

    public void Remove(EventCore ev)
    {
        lock (_lock)
        {
            if (_events.TryGetValue(ev.Id, out EventCore? registered) && ReferenceEquals(registered, ev)) _events.Remove(ev.Id);
        }
    }

    /// <summary>A copy of the running events (the sweep, eviction and shutdown walk it without the lock).</summary>
    public EventCore[] Snapshot()
    {
        lock (_lock)
        {
            if (_events.Count == 0) return [];
            var all = new EventCore[_events.Count];
            _events.Values.CopyTo(all, 0);
            return all;
        }
    }
}
