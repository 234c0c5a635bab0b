using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>One started instance: a plugin configuration that Kong addresses by <see cref="Id"/>.</summary>
/// <remarks>
/// Its events hold it: <see cref="TryBeginEvent"/> takes a hold unless the instance was already retired, and
/// <see cref="EventEnded"/> lets it go. The registry's own hold ends with <see cref="Retire"/>. The service scope is
/// disposed once, when the last hold ends, so no event ever runs on a disposed scope and no scope outlives its last
/// event. Both facts live in one word (<see cref="_state"/>), changed atomically.
/// </remarks>
internal sealed class PluginInstance
{
    /// <summary>Set in <see cref="_state"/> once the instance is retired; the lower bits count its running events.</summary>
    private const int RetiredFlag = 1 << 30;

    private long _lastUsedTicks;
    private int _state;

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

    public int RunningEvents => Volatile.Read(ref _state) & ~RetiredFlag;

    public bool IsRetired => (Volatile.Read(ref _state) & RetiredFlag) != 0;

    /// <summary>Takes a hold for an event about to start; false when the instance was retired meanwhile (closed,
    /// replaced or collected after the caller found it in the registry): the event must not start on it, since its
    /// services may already be disposed. Every true is matched by one <see cref="EventEnded"/>.</summary>
    public bool TryBeginEvent()
    {
        int state = Volatile.Read(ref _state);
        while (true)
        {
            if ((state & RetiredFlag) != 0) return false;
            int seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state) break;
            state = seen;
        }

        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        return true;
    }

    /// <summary>An event that <see cref="TryBeginEvent"/> admitted ended; the last one to end after the instance was
    /// retired disposes its services.</summary>
    public void EventEnded()
    {
        Volatile.Write(ref _lastUsedTicks, Environment.TickCount64);
        if (Interlocked.Decrement(ref _state) == RetiredFlag) Services?.DisposeInBackground();
    }

    /// <summary>The registry let the instance go (closed, replaced or collected): no event starts on it any more; its
    /// services are disposed now, or when its last running event ends (running events finish normally).</summary>
    public void Retire()
    {
        int before = Interlocked.Or(ref _state, RetiredFlag);
        if (before == 0) Services?.DisposeInBackground();
    }
}
