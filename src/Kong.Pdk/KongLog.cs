using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.log</c>: writes to Kong's error log, tagged with the plugin; and the log serializer. Each
/// call is a round trip: log sparingly on hot paths.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongLog
{
    private readonly KongEvent? _handle;

    internal KongLog(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongLog));

    /// <summary><c>kong.log.alert(message)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask AlertAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogAlert, message, cancellationToken);

    /// <summary><c>kong.log.crit(message)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask CritAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogCrit, message, cancellationToken);

    /// <summary><c>kong.log.err(message)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask ErrAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogErr, message, cancellationToken);

    /// <summary><c>kong.log.warn(message)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask WarnAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogWarn, message, cancellationToken);

    /// <summary><c>kong.log.notice(message)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask NoticeAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogNotice, message, cancellationToken);

    /// <summary><c>kong.log.info(message)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask InfoAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogInfo, message, cancellationToken);

    /// <summary><c>kong.log.debug(message)</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask DebugAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogDebug, message, cancellationToken);

    /// <summary><c>kong.log.deprecation(message)</c>: logs a deprecation warning (shown when Kong's
    /// <c>deprecation</c> logging is on). All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask DeprecationAsync(string message, CancellationToken cancellationToken = default) => Write(PdkMethods.LogDeprecation, message, cancellationToken);

    /// <summary>
    /// <c>kong.log.serialize()</c>: Kong's basic log serializer output (request, response, route, service,
    /// consumer, latencies, …). Kong sends it as JSON text (kong-protocol.md §4.8); the result keeps the text and
    /// parses it on demand. In <c>log</c> it is the output saved at log time; elsewhere a fresh serialization.
    /// All phases.
    /// </summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<KongSerializedLog> SerializeAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.LogSerialize, 0, PdkPhases.All, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.SerializedLog);
    }

    /// <summary>
    /// <c>kong.log.set_serialize_value(key, value, {mode = mode})</c>: adds, replaces or sets a field of the
    /// serializer output (<paramref name="key"/> may be dotted, <c>request.headers.x</c>). Phases: certificate,
    /// rewrite, access, response (no effect in the log timer).
    /// </summary>
    /// <param name="key">The dotted field name.</param>
    /// <param name="value">The value; nil removes the field (and cannot be combined with a mode).</param>
    /// <param name="mode"><c>set</c> (default), <c>add</c> (only when absent) or <c>replace</c> (only when present).</param>
    /// <param name="cancellationToken">Cancels before sending.</param>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetSerializeValueAsync(string key, KongValue? value, string? mode = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        bool nil = value is null || value.IsNil;
        if (nil && mode is not null) throw new ArgumentException("kong.log.set_serialize_value: a nil value cannot be sent before the options (no nil before a later argument).", nameof(value));
        int count = mode is not null ? 3 : nil ? 1 : 2;
        MessagePackWriter writer = _event.BeginCall(PdkMethods.LogSetSerializeValue, count, PdkPhases.CertificateRequest, cancellationToken);
        writer.Write(key);
        if (count >= 2) value!.WriteTo(ref writer);
        if (count == 3)
        {
            writer.WriteMapHeader(1);
            writer.WriteString("mode"u8);
            writer.Write(mode);
        }

        return _event.SendIgnoredCallAsync(ref writer);
    }

    private ValueTask Write(byte[] method, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        MessagePackWriter writer = _event.BeginCall(method, 1, PdkPhases.All, cancellationToken);
        writer.Write(message);
        return _event.SendIgnoredCallAsync(ref writer);
    }
}
