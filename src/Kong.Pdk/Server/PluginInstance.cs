using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>One started instance: a plugin configuration that Kong addresses by <see cref="Id"/>.</summary>
internal sealed class PluginInstance
{
    private long _lastUsedTicks;
    private int _runningEvents;

    public PluginInstance(int id, KongPluginDescriptor descriptor, IKongPluginInstance handler, long startTimeUnixSeconds, long memoryCharge = 0)
    {
        Id = id;
        MemoryCharge = memoryCharge;
        Descriptor = descriptor;
        Handler = handler;
        StartTimeUnixSeconds = startTimeUnixSeconds;
        _lastUsedTicks = Environment.TickCount64;
    }

    public int Id { get; }

    public KongPluginDescriptor Descriptor { get; }

    public IKongPluginInstance Handler { get; }

    public long StartTimeUnixSeconds { get; }

    /// <summary>Bytes reserved in the <see cref="MemoryBudget"/> for this instance (its configuration's size),
    /// released when the registry lets the instance go.</summary>
    public long MemoryCharge { get; }

    public long LastUsedTicks => Volatile.Read(ref _lastUsedTicks);

    public int RunningEvents => Volatile.Read(ref _runningEvents);

    public void EventStarted()
    {
        Interlocked.Increment(ref _runningEvents);
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
    }

    public void EventEnded()
    {
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        Interlocked.Decrement(ref _runningEvents);
    }
}
