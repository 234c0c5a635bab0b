using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>One started instance: a plugin configuration that Kong addresses by <see cref="Id"/>.</summary>
internal sealed class PluginInstance
{
    private long _lastUsedTicks;
    private int _runningEvents;
    private int _retired;

    public PluginInstance(int id, KongPluginDescriptor descriptor, IKongPluginInstance handler, long startTimeUnixSeconds, long memoryCharge = 0, InstanceServices? services = null)
    {
        Id = id;
        MemoryCharge = memoryCharge;
        Descriptor = descriptor;
        Handler = handler;
        StartTimeUnixSeconds = startTimeUnixSeconds;
        Services = services;
        _lastUsedTicks = Environment.TickCount64;
    }

    public int Id { get; }

    public KongPluginDescriptor Descriptor { get; }

    public IKongPluginInstance Handler { get; }

    public long StartTimeUnixSeconds { get; }

    /// <summary>Bytes reserved in the <see cref="MemoryBudget"/> for this instance (its configuration's size),
    /// released when the registry lets the instance go.</summary>
    public long MemoryCharge { get; }

    /// <summary>The instance's service scope (<see cref="KongServerOptions.Services"/>), or <see langword="null"/>.
    /// Disposed once the instance is retired and its last event ended.</summary>
    public InstanceServices? Services { get; }

    public long LastUsedTicks => Volatile.Read(ref _lastUsedTicks);

    public int RunningEvents => Volatile.Read(ref _runningEvents);

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    public void EventStarted()
    {
        Interlocked.Increment(ref _runningEvents);
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
    }

    public void EventEnded()
    {
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        if (Interlocked.Decrement(ref _runningEvents) == 0 && Services is not null && IsRetired) Services.DisposeInBackground();
    }

    /// <summary>The registry let the instance go (closed, replaced or collected): its services are disposed now, or
    /// when its last running event ends (events of a replaced instance finish normally).</summary>
    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Services is not null && RunningEvents == 0) Services.DisposeInBackground();
    }
}
