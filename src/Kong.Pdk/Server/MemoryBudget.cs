namespace Kong.Pdk.Server;

/// <summary>
/// The total budget for what peers make the server retain (<see cref="Hosting.KongServerOptions.MemoryBudget"/>):
/// instance configurations, step data held by events, and messages being received past 64 KiB per connection.
/// Whoever retains bytes reserves them first and releases them when letting go; a reservation past the budget is
/// refused, and the caller refuses the request that needed it.
/// </summary>
internal sealed class MemoryBudget
{
    /// <summary>Part of a message being received that is not charged (per connection): the usual request is smaller.</summary>
    public const int UnchargedReceive = 64 * 1024;

    private long _used;
    private long _peak;
    private long _usedAtLastCollection;
    private long _usedAtLastSweep;
    private int _followUpsLeft;
    private long _nextFollowUpTicks;

    public MemoryBudget(long limit) => Limit = limit;

    public long Limit { get; }

    public long Used => Volatile.Read(ref _used);

    /// <summary>Reserves <paramref name="bytes"/>; false (and nothing reserved) when that would pass the budget.</summary>
    /// <param name="bytes">The bytes to reserve.</param>
    /// <param name="credit">Bytes that the caller is about to release (a configuration being replaced): the check
    /// allows for them.</param>
    public bool TryReserve(long bytes, long credit = 0)
    {
        if (bytes <= 0) return true;
        long used = Volatile.Read(ref _used);
        while (true)
        {
            if (used + bytes - credit > Limit) return false;
            long seen = Interlocked.CompareExchange(ref _used, used + bytes, used);
            if (seen == used) break;
            used = seen;
        }

        long now = used + bytes;
        long peak = Volatile.Read(ref _peak);
        while (now > peak)
        {
            long seen = Interlocked.CompareExchange(ref _peak, now, peak);
            if (seen == peak) break;
            peak = seen;
        }

        return true;
    }

    public void Release(long bytes)
    {
        if (bytes > 0) Interlocked.Add(ref _used, -bytes);
    }

    /// <summary>The shortest time between two collections that <see cref="TrimAfterBurst"/> starts.</summary>
    public const long MinCollectionIntervalMs = 10_000;

    private bool _collected;
    private long _lastCollectionTicks;

    /// <summary>
    /// After a burst, starts an aggressive full collection, which compacts the large-object heap and gives the freed
    /// memory back to the system; the GC alone would keep it committed (and an idle server would keep a burst's
    /// garbage, since nothing allocates to trigger a collection). A burst is at least <paramref name="burstBytes"/>
    /// charged and since released, or charged on top of the last collection and now steady (one sweep with no
    /// change: the transient buffers that carried it are garbage). Two follow-ups, 10 s and 70 s later, collect what
    /// was let go after the burst (the threads of connections Kong closed, arrays the shared pools drop after a
    /// minute unused). At most one collection starts per <see cref="MinCollectionIntervalMs"/>, so that a peer that
    /// makes a burst every sweep cannot force a blocking compacting collection every sweep: a burst inside the
    /// interval is collected once the interval ends. Called by the sweep, with <see cref="Environment.TickCount64"/>;
    /// returns true when it started a collection.
    /// </summary>
    public bool TrimAfterBurst(long burstBytes, long nowTicks)
    {
        bool due = !_collected || nowTicks - _lastCollectionTicks >= MinCollectionIntervalMs;
        long used = Used;
        long peak = Volatile.Read(ref _peak);
        if (used < _usedAtLastCollection) _usedAtLastCollection = used;
        bool released = peak - used >= burstBytes;
        bool grewAndSettled = used - _usedAtLastCollection >= burstBytes && used == _usedAtLastSweep;
        _usedAtLastSweep = used;
        if (released || grewAndSettled)
        {
            Volatile.Write(ref _peak, used);
            _usedAtLastCollection = used;
            _followUpsLeft = 2;
            _nextFollowUpTicks = nowTicks + 10_000;
            if (!due)
            {
                // Too soon after the last collection: this burst's collection becomes the next follow-up.
                _followUpsLeft = 3;
                _nextFollowUpTicks = _lastCollectionTicks + MinCollectionIntervalMs;
                return false;
            }
        }
        else if (_followUpsLeft > 0 && nowTicks >= _nextFollowUpTicks && due)
        {
            _followUpsLeft--;
            _nextFollowUpTicks = nowTicks + 60_000;
        }
        else
        {
            return false;
        }

        _collected = true;
        _lastCollectionTicks = nowTicks;
        ThreadPool.UnsafeQueueUserWorkItem(static _ => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true), null);
        return true;
    }
}
