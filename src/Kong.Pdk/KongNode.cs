using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.ip</c>: trusted-address checks.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongIp
{
    private readonly KongEvent? _handle;

    internal KongIp(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongIp));

    /// <summary><c>kong.ip.is_trusted(address)</c>: whether the address is in <c>trusted_ips</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<bool> IsTrustedAsync(string address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.IpIsTrusted, 1, PdkPhases.All, cancellationToken);
        writer.Write(address);
        return _event.SendCallAsync(ref writer, PdkDecoders.Boolean);
    }
}

/// <summary><c>kong.node</c>: the Kong node.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongNode
{
    private readonly KongEvent? _handle;

    internal KongNode(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongNode));

    /// <summary><c>kong.node.get_id()</c>: the node's UUID. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<string> GetIdAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NodeGetId, 0, PdkPhases.All, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }

    /// <summary><c>kong.node.get_memory_stats(unit?, scale?)</c>: shared dictionary and worker VM memory. With
    /// <paramref name="unit"/> (<c>b</c>, <c>k</c>, <c>m</c>, <c>g</c>) the sizes are strings such as
    /// <c>"1.50 MiB"</c>, with <paramref name="scale"/> decimals. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<KongMemoryStats> GetMemoryStatsAsync(string? unit = null, int? scale = null, CancellationToken cancellationToken = default)
    {
        if (unit is null && scale is not null) throw new ArgumentException("kong.node.get_memory_stats: pass unit when scale is given (no nil before a later argument).", nameof(unit));
        int count = scale is not null ? 2 : unit is not null ? 1 : 0;
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NodeGetMemoryStats, count, PdkPhases.All, cancellationToken);
        if (count >= 1) writer.Write(unit);
        if (count == 2) writer.Write(scale!.Value);
        return _event.SendCallAsync(ref writer, PdkDecoders.MemoryStats);
    }

    /// <summary><c>kong.node.get_hostname()</c>: the host name of the machine. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<string> GetHostnameAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NodeGetHostname, 0, PdkPhases.All, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }
}

/// <summary><c>kong.plugin</c>: the running plugin entity. (Named <c>…Module</c> so that it does not clash with
/// the <c>[KongPlugin]</c> attribute.)
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongPluginModule
{
    private readonly KongEvent? _handle;

    internal KongPluginModule(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongPluginModule));

    /// <summary><c>kong.plugin.get_id()</c>: the UUID of the plugin entity (configuration) running this handler.
    /// Phases: rewrite, access, response, log.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<string> GetIdAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.PluginGetId, 0, PdkPhases.Request | PdkPhases.Log, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }
}

/// <summary><c>kong.cluster</c>: the Kong cluster.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongCluster
{
    private readonly KongEvent? _handle;

    internal KongCluster(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongCluster));

    /// <summary><c>kong.cluster.get_id()</c>: the cluster's UUID. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<string> GetIdAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClusterGetId, 0, PdkPhases.All, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }
}
