namespace Kong.Pdk.Server;

/// <summary>
/// Makes room for new events by abandoning old ones that wait for a step, so that one peer that starts events and
/// never steps them cannot exhaust the event limit for everyone (a refused HandleEvent is fail-open in Kong). Events
/// are attributed to the connection their last call went out on (<see cref="KongEvent.WaitingOn"/>); the oldest
/// waiting events of the offending connection go first. Runs only on the limit path: a scan of the registry,
/// abandoning a batch at a time so that its cost is spread over many HandleEvents.
/// </summary>
internal static class EventEviction
{
    /// <summary>Abandons up to <paramref name="count"/> of the oldest events waiting on <paramref name="connection"/>.</summary>
    /// <returns>How many were abandoned.</returns>
    public static int AbandonOldestWaiting(EventRegistry events, PluginConnection connection, int count)
    {
        var waiting = new List<(long Since, KongEvent Event)>();
        foreach (KongEvent ev in events.Snapshot())
        {
            if (ReferenceEquals(ev.WaitingOn, connection)) waiting.Add((ev.StateSinceTicks, ev));
        }

        waiting.Sort(static (a, b) => a.Since.CompareTo(b.Since));
        int abandoned = 0;
        foreach ((long _, KongEvent ev) in waiting)
        {
            if (abandoned == count) break;
            if (ev.Abandon(KongEventEndReason.Abandoned, logIt: false)) abandoned++;
        }

        return abandoned;
    }

    /// <summary>The connection with the most events waiting for a step, open or closed; null when none waits.</summary>
    public static PluginConnection? Busiest(EventRegistry events, out int waitingEvents)
    {
        var counts = new Dictionary<PluginConnection, int>(ReferenceEqualityComparer.Instance);
        PluginConnection? busiest = null;
        waitingEvents = 0;
        foreach (KongEvent ev in events.Snapshot())
        {
            PluginConnection? connection = ev.WaitingOn;
            if (connection is null) continue;
            counts.TryGetValue(connection, out int n);
            counts[connection] = ++n;
            if (n > waitingEvents)
            {
                waitingEvents = n;
                busiest = connection;
            }
        }

        return busiest;
    }
}
