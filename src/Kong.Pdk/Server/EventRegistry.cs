using System.Collections.Concurrent;

namespace Kong.Pdk.Server;

/// <summary>
/// Process-wide map of event id to running event. Kong reads the event id from the HandleEvent answer and echoes
/// it in every step, on whichever connection it borrowed; nothing about an event belongs to a connection.
/// Ids come from a wrapping positive int31 counter that skips ids in use.
/// </summary>
internal sealed class EventRegistry
{
    private readonly ConcurrentDictionary<int, KongEvent> _events = new();
    private int _lastId;

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
