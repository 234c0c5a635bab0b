namespace Kong.Pdk.Server;

/// <summary>
/// Makes room for new events by abandoning old ones that wait for a step, so that one peer that starts events and
/// never steps them cannot exhaust the event limit for everyone (a refused HandleEvent is fail-open in Kong). Events
/// are attributed to the connection their last call went out on (<see cref="EventCore.WaitingOn"/>). Past the
/// per-connection limit, that connection's oldest waiting events go first; past the total limit, the events that
/// have waited longest for a step on any connection go first (Kong's own wait milliseconds for a step, so a peer that
/// spreads its never-stepped events over many connections loses those, not Kong's live requests). Runs only on the
/// limit path: a scan of the registry, abandoning a batch at a time so that its cost is spread over many HandleEvents.
/// </summary>
internal static class EventEviction
{
    /// <summary>Abandons up to <paramref name="count"/> of the events that have waited longest for a step on
    /// <paramref name="connection"/>, or on any connection when it is null.</summary>
    /// <returns>How many were abandoned.</returns>
    public static int AbandonOldestWaiting(EventRegistry events, PluginConnection? connection, int count)
    {
        var waiting = new List<(long Since, int Generation, EventCore Event)>();
        foreach (EventCore ev in events.Snapshot())
        {
            PluginConnection? on = ev.WaitingOn;
            if (on is not null && (connection is null || ReferenceEquals(on, connection))) waiting.Add((ev.StateSinceTicks, ev.Generation, ev));
        }

        // Since has the millisecond resolution of PluginServer.NowMs, so many events share one value: among
        // those, the one started first (the lower id; ids only wrap after 2^30 or more events) goes first. The sort
        // itself is not stable, and the snapshot is in the registry's order, not start order (a newer event takes the
        // slot a finished one freed), so without this an event that began waiting a moment ago could go before older
        // ones.
        waiting.Sort(static (a, b) => a.Since != b.Since ? a.Since.CompareTo(b.Since) : a.Event.Id.CompareTo(b.Event.Id));
        int abandoned = 0;
        foreach ((long _, int generation, EventCore ev) in waiting)
        {
            if (abandoned == count) break;
            if (ev.Abandon(KongEventEndReason.Abandoned, logIt: false, evicted: true, generation)) abandoned++; // not a later event of a reused core
        }

        return abandoned;
    }
}
