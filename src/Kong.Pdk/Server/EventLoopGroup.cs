namespace Kong.Pdk.Server;

/// <summary>The event loops of a server in <see cref="Hosting.KongConnectionMode.EventLoop"/>: each accepted connection
/// goes to the loop with the fewest connections.</summary>
internal sealed class EventLoopGroup
{
    private readonly EventLoop[] _loops;
    private int _next;

    private EventLoopGroup(EventLoop[] loops) => _loops = loops;

    /// <summary>The loops, for the sweep and for tests.</summary>
    public IReadOnlyList<EventLoop> Loops => _loops;

    /// <summary>Starts <paramref name="count"/> loops; null, with the reason, where epoll is not available (not Linux,
    /// or the system refuses an epoll instance).</summary>
    public static EventLoopGroup? TryStart(PluginServer server, int count, out string? failure)
    {
        failure = null;
        if (!LinuxEpoll.IsSupported)
        {
            failure = OperatingSystem.IsLinux() ? "epoll is not available" : "epoll needs Linux";
            return null;
        }

        var loops = new EventLoop[count];
        for (int i = 0; i < count; i++)
        {
            EventLoop? loop = EventLoop.Start(server, i, out failure);
            if (loop is null)
            {
                for (int j = 0; j < i; j++) loops[j].Stop();
                return null;
            }

            loops[i] = loop;
        }

        return new EventLoopGroup(loops);
    }

    /// <summary>The loop a new connection goes to: the one with the fewest connections, ties broken in turn.</summary>
    public EventLoop Assign()
    {
        int first = (int)((uint)Interlocked.Increment(ref _next) % (uint)_loops.Length);
        EventLoop best = _loops[first];
        for (int i = 1; i < _loops.Length; i++)
        {
            EventLoop loop = _loops[(first + i) % _loops.Length];
            if (loop.ConnectionCount < best.ConnectionCount) best = loop;
        }

        return best;
    }

    /// <summary>Called by the sweep: a loop whose thread is in handler code past the deadline is taken over.</summary>
    public void CheckStuck(long nowTicks, long deadlineMs)
    {
        foreach (EventLoop loop in _loops) loop.TakeOverIfStuck(nowTicks, deadlineMs);
    }

    /// <summary>Stops every loop (after the server closed its connections).</summary>
    public void Stop()
    {
        foreach (EventLoop loop in _loops) loop.Stop();
    }
}
