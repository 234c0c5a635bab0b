using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.ctx</c>: per-request context.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongCtx
{
    private readonly KongEvent? _handle;

    internal KongCtx(KongEvent ev) => _handle = ev;

    /// <summary><c>kong.ctx.shared</c>: a table shared by every plugin on the request, and the way to hand data
    /// from <c>access</c> to <c>log</c>.</summary>
    public KongCtxShared Shared => new(_handle ?? throw KongEvent.NotObtained(nameof(KongCtx)));
}

/// <summary>
/// <c>kong.ctx.shared</c>: values shared by all plugins for one request. All phases; in <c>log</c>, Kong serves the
/// table saved at log time (kong-protocol.md §6.2), so set what <c>log</c> needs during <c>access</c>.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.
/// </summary>
/// <remarks>
/// Values must be MessagePack-encodable Lua values (<see cref="KongValue"/>). An empty list and an empty map are the
/// same Lua table: it comes back as an empty list. A string that is not UTF-8 comes back with U+FFFD in its text;
/// <see cref="KongValue.GetRawBytes"/> has the bytes. Each call is one round trip.
/// </remarks>
public readonly struct KongCtxShared
{
    private readonly KongEvent? _handle;

    internal KongCtxShared(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongCtxShared));

    /// <summary><c>kong.ctx.shared.get(key)</c>: the value, or <see cref="KongValue.Nil"/> when unset. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<KongValue> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedGet, 1, PdkPhases.All, cancellationToken);
        writer.Write(key);
        return _event.SendCallAsync(ref writer, PdkDecoders.Value);
    }

    /// <summary><c>kong.ctx.shared.get(key)</c> as a string (null when unset; throws <see cref="KongPdkException"/>
    /// when the value is not a string). All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<string?> GetStringAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedGet, 1, PdkPhases.All, cancellationToken);
        writer.Write(key);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.ctx.shared.set(key, value)</c>. <see cref="KongValue.Nil"/> (or null) removes the key. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask SetAsync(string key, KongValue? value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        bool nil = value is null || value.IsNil;
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedSet, nil ? 1 : 2, PdkPhases.All, cancellationToken);
        writer.Write(key);
        if (!nil) value!.WriteTo(ref writer);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.ctx.shared.set(key, string)</c>; null removes the key. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask SetAsync(string key, string? value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedSet, value is null ? 1 : 2, PdkPhases.All, cancellationToken);
        writer.Write(key);
        if (value is not null) writer.Write(value);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.ctx.shared.set(key, integer)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask SetAsync(string key, long value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedSet, 2, PdkPhases.All, cancellationToken);
        writer.Write(key);
        writer.Write(value);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.ctx.shared.set(key, number)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask SetAsync(string key, double value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedSet, 2, PdkPhases.All, cancellationToken);
        writer.Write(key);
        writer.Write(value);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.ctx.shared.set(key, boolean)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask SetAsync(string key, bool value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedSet, 2, PdkPhases.All, cancellationToken);
        writer.Write(key);
        writer.Write(value);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.ctx.shared.set(key, {strings})</c>: a list. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask SetAsync(string key, IReadOnlyList<string> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(values);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedSet, 2, PdkPhases.All, cancellationToken);
        writer.Write(key);
        PdkWrite.StringList(ref writer, values, nameof(values));
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.ctx.shared.set(key, {name = string})</c>: a map. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask SetAsync(string key, IReadOnlyDictionary<string, string> map, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(map);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.CtxSharedSet, 2, PdkPhases.All, cancellationToken);
        writer.Write(key);
        PdkWrite.StringMap(ref writer, map, nameof(map));
        return _event.SendIgnoredCallAsync(ref writer);
    }
}
