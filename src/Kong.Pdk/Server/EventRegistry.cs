using System.Collections.Concurrent;

namespace Kong.Pdk.Server;

/// <summary>
/// Process-wide map of event id to running event. Kong reads the event id from the HandleEvent answer and echoes
/// it in every step, on whichever connection it borrowed; nothing about an event belongs to a connection.
/// Ids come from a wrapping positive int31 counter that skips ids in use. A served process starts the counter at a
/// random point (<see cref="RandomStart"/>): during <c>kong reload</c> the old workers' steps may reach the new
/// server on fresh connections, and a counter starting at 1 in both processes would let such a step match another
/// request's live event here. With random starts it gets "no running event" instead.
/// </summary>
internal sealed class EventRegistry
{
    private readonly ConcurrentDictionary<int, KongEvent> _events = new();
    private int _lastId;

    /// <summary>Creates a registry whose first id is <paramref name="lastId"/> + 1 (tests use 0: ids from 1).</summary>
    public EventRegistry(int lastId = 0) => _lastId = lastId;

    /// <summary>A random starting point for a served process, far enough from the wrap to leave 2^30 ids.</summary>
    public static int RandomStart() => Random.Shared.Next(1, 1 << 30);

    public int Count => _events.Count;

    public bool TryGet(int id, out KongEvent ev) => _events.TryGetValue(id, out ev!);

    /// <summary>Returns a fresh id not in use.</summary>
    public int NextId()
    {
        while (true)
        {
            int id = Interlocked.Increment(ref _lastId);
            if (id <= 0)
            {
                Interlocked.CompareExchange(ref _lastId, 0, id);
                continue;
            }

            if (!_events.ContainsKey(id)) return id;
        }
    }

    public bool TryAdd(KongEvent ev) => _events.TryAdd(ev.Id, ev);

    public void Remove(KongEvent ev) => _events.TryRemove(new KeyValuePair<int, KongEvent>(ev.Id, ev));

    public IEnumerable<KongEvent> Snapshot() => _events.Values;
}
