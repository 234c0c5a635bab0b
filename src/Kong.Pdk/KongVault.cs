using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.vault</c>: secret references such as <c>{vault://env/my-secret}</c> (MsgPack only).
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongVault
{
    private readonly KongEvent? _handle;

    internal KongVault(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongVault));

    /// <summary><c>kong.vault.get(reference)</c>: the secret, or null when it cannot be resolved. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<string?> GetAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.VaultGet, 1, PdkPhases.All, cancellationToken);
        writer.Write(reference);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.vault.is_reference(value)</c>: whether the string is a vault reference. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<bool> IsReferenceAsync(string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.VaultIsReference, 1, PdkPhases.All, cancellationToken);
        writer.Write(value);
        return _event.SendCallAsync(ref writer, PdkDecoders.Boolean);
    }

    /// <summary><c>kong.vault.parse_reference(reference)</c>: its parts (<c>name</c>, <c>resource</c>, <c>key</c>,
    /// <c>version</c>, …) as a map, or <see cref="KongValue.Nil"/> when it is not a reference. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<KongValue> ParseReferenceAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.VaultParseReference, 1, PdkPhases.All, cancellationToken);
        writer.Write(reference);
        return _event.SendCallAsync(ref writer, PdkDecoders.Value);
    }

    /// <summary><c>kong.vault.update(options)</c>: resolves the references in a table (for example a
    /// configuration) and returns it with the secrets in place. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<KongValue> UpdateAsync(KongValue options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IsNil) throw new ArgumentException("The options cannot be nil.", nameof(options));
        MessagePackWriter writer = _event.BeginCall(PdkMethods.VaultUpdate, 1, PdkPhases.All, cancellationToken);
        options.WriteTo(ref writer);
        return _event.SendCallAsync(ref writer, PdkDecoders.Value);
    }

    /// <summary><c>kong.vault.flush()</c>: clears the worker's secret cache. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
        => PdkSetters.NoArgs(_event, PdkMethods.VaultFlush, PdkPhases.All, cancellationToken);
}

/// <summary><c>kong.telemetry</c>: structured logs for Kong's OpenTelemetry integration (MsgPack only).
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongTelemetry
{
    private readonly KongEvent? _handle;

    internal KongTelemetry(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongTelemetry));

    /// <summary><c>kong.telemetry.log(plugin_name, plugin_config, message_type, message, attributes?)</c>: emits
    /// a log record through the OpenTelemetry plugin. All phases.</summary>
    /// <param name="pluginName">The plugin name.</param>
    /// <param name="pluginConfig">The plugin configuration (a map; Kong reads its <c>__key__</c> and similar
    /// fields); pass <see cref="KongValue.EmptyList"/> when you have none.</param>
    /// <param name="messageType">A type tag for the message.</param>
    /// <param name="message">The message.</param>
    /// <param name="attributes">Extra attributes (a map), or null.</param>
    /// <param name="cancellationToken">Cancels before sending.</param>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask LogAsync(string pluginName, KongValue pluginConfig, string messageType, string message, KongValue? attributes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pluginName);
        ArgumentNullException.ThrowIfNull(pluginConfig);
        ArgumentNullException.ThrowIfNull(messageType);
        ArgumentNullException.ThrowIfNull(message);
        if (pluginConfig.IsNil) throw new ArgumentException("The plugin configuration cannot be nil (no nil before a later argument); pass KongValue.EmptyList.", nameof(pluginConfig));
        bool hasAttributes = attributes is { IsNil: false };
        MessagePackWriter writer = _event.BeginCall(PdkMethods.TelemetryLog, hasAttributes ? 5 : 4, PdkPhases.All, cancellationToken);
        writer.Write(pluginName);
        pluginConfig.WriteTo(ref writer);
        writer.Write(messageType);
        writer.Write(message);
        if (hasAttributes) attributes!.WriteTo(ref writer);
        return _event.SendIgnoredCallAsync(ref writer);
    }
}
