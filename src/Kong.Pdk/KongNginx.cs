using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.nginx</c>: nginx variables, the nginx request context and statistics.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongNginx
{
    private readonly KongEvent? _handle;

    internal KongNginx(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongNginx));

    /// <summary><c>kong.nginx.get_var(name)</c>: an nginx variable (<c>request_id</c>, <c>request_uri</c>, …), or
    /// null when unset. Not valid UTF-8 → U+FFFD in the string. Phases: rewrite, access, response, preread (it
    /// fails in <c>log</c>, which runs in a timer).</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread)]
    public ValueTask<string?> GetVarAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NginxGetVar, 1, PdkPhases.Request | PdkPhases.Preread, cancellationToken);
        writer.Write(name);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.nginx.get_tls1_version_str()</c>: the TLS version of the client connection
    /// (<c>TLSv1.3</c>), or null without TLS. Phases: certificate, rewrite, access, response.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string?> GetTls1VersionStrAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NginxGetTls1VersionStr, 0, PdkPhases.CertificateRequest, cancellationToken);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.nginx.get_ctx(key)</c>: a value of <c>ngx.ctx</c> (in <c>log</c>, the saved clone), or
    /// <see cref="KongValue.Nil"/>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<KongValue> GetCtxAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NginxGetCtx, 1, PdkPhases.All, cancellationToken);
        writer.Write(key);
        return _event.SendCallAsync(ref writer, PdkDecoders.Value);
    }

    /// <summary><c>kong.nginx.set_ctx(key, value)</c>: sets a value of <c>ngx.ctx</c>; nil removes it. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask SetCtxAsync(string key, KongValue? value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        bool nil = value is null || value.IsNil;
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NginxSetCtx, nil ? 1 : 2, PdkPhases.All, cancellationToken);
        writer.Write(key);
        if (!nil) value!.WriteTo(ref writer);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.nginx.req_start_time()</c>: when the request started, in seconds since the Unix epoch
    /// (with milliseconds as the fraction). All phases (in <c>log</c>, the saved value).</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<double> ReqStartTimeAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NginxReqStartTime, 0, PdkPhases.All, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Double);
    }

    /// <summary><c>kong.nginx.get_subsystem()</c>: <c>http</c> or <c>stream</c>. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<string> GetSubsystemAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NginxGetSubsystem, 0, PdkPhases.All, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }

    /// <summary><c>kong.nginx.get_statistics()</c>: connection counters (<c>connections_active</c>,
    /// <c>total_requests</c>, …) as a map. All phases.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Preread, KongPhase.Log)]
    public ValueTask<KongValue> GetStatisticsAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.NginxGetStatistics, 0, PdkPhases.All, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Value);
    }
}
