using System.Collections.Concurrent;

namespace Kong.Pdk.Server;

/// <summary>
/// Process-wide map of instance id to instance, shared by every connection (kong-protocol.md §4.4). Ids are
/// Kong's <c>__seq__</c> when positive, otherwise a random positive int31 not in use; an existing id is replaced.
/// An instance's <see cref="PluginInstance.MemoryCharge"/> is released, and the instance retired (its service scope
/// disposed once its events ended), when it leaves the registry (closed, replaced or collected).
/// </summary>
internal sealed class InstanceRegistry
{
    private readonly ConcurrentDictionary<int, PluginInstance> _instances = new();
    private readonly MemoryBudget _memory;

    public InstanceRegistry(MemoryBudget memory) => _memory = memory;

    public int Count => _instances.Count;

    public bool TryGet(int id, out PluginInstance instance) => _instances.TryGetValue(id, out instance!);

    /// <summary>Chooses the id for a new instance: <paramref name="seq"/> when it is a positive int31, else a random free id.</summary>
    public int ChooseId(long seq)
    {
        if (seq is > 0 and <= int.MaxValue) return (int)seq;
        while (true)
        {
            int candidate = Random.Shared.Next(1, int.MaxValue);
            if (!_instances.ContainsKey(candidate)) return candidate;
        }
    }

    /// <summary>Adds or replaces the instance with its id. Events already running on a replaced instance finish normally.</summary>
    public void Set(PluginInstance instance)
    {
        while (true)
        {
            if (_instances.TryGetValue(instance.Id, out PluginInstance? replaced))
            {
                if (_instances.TryUpdate(instance.Id, instance, replaced))
                {
                    if (!ReferenceEquals(replaced, instance))
                    {
                        _memory.Release(replaced.MemoryCharge);
                        replaced.Retire();
                    }

                    return;
                }
            }
            else if (_instances.TryAdd(instance.Id, instance))
            {
                return;
            }
        }
    }

    public bool TryRemove(int id, out PluginInstance instance)
    {
        if (!_instances.TryRemove(id, out instance!)) return false;
        _memory.Release(instance.MemoryCharge);
        instance.Retire();
        return true;
    }

    /// <summary>Removes instances idle for longer than <paramref name="ttlMs"/> that have no running event.</summary>
    public int CollectIdle(long nowTicks, long ttlMs, ServerLog log)
    {
        int collected = 0;
        foreach (KeyValuePair<int, PluginInstance> pair in _instances)
        {
            PluginInstance instance = pair.Value;
            if (instance.RunningEvents == 0 && nowTicks - instance.LastUsedTicks > ttlMs
                && _instances.TryRemove(new KeyValuePair<int, PluginInstance>(pair.Key, instance)))
            {
                collected++;
                _memory.Release(instance.MemoryCharge);
                instance.Retire();
                log.Info($"instance {instance.Id} of {instance.Descriptor.Name} collected after {ttlMs / 1000} s idle");
            }
        }

        return collected;
    }

    public IEnumerable<PluginInstance> Snapshot() => _instances.Values;
}
