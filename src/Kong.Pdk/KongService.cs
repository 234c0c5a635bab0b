using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.service</c>: where and how Kong proxies the request.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongService
{
    private const PdkPhases TargetPhases = PdkPhases.Rewrite | PdkPhases.Access | PdkPhases.Preread;

    private readonly KongEvent? _handle;

    internal KongService(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongService));

    /// <summary><c>kong.service.request</c>: the request Kong sends upstream.</summary>
    public KongServiceRequest Request => new(_event);

    /// <summary><c>kong.service.response</c>: the response the upstream sent (in <c>response</c>).</summary>
    public KongServiceResponse Response => new(_event);

    /// <summary><c>kong.service.set_upstream(host)</c>: proxies to the named upstream entity; false when it does
    /// not exist. Phases: access.</summary>
    [KongPhases(KongPhase.Access)]
    public ValueTask<bool> SetUpstreamAsync(string host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceSetUpstream, 1, PdkPhases.Access, cancellationToken);
        writer.Write(host);
        return _event.SendCallAsync(ref writer, PdkDecoders.Boolean);
    }

    /// <summary><c>kong.service.set_target(host, port)</c>: proxies to this host and port, bypassing load
    /// balancing. Phases: rewrite, access, preread.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Preread)]
    public ValueTask SetTargetAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceSetTarget, 2, TargetPhases, cancellationToken);
        writer.Write(host);
        writer.Write(port);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.service.set_retries(n)</c>: upstream retries (0–32767). Phases: access.</summary>
    [KongPhases(KongPhase.Access)]
    public ValueTask SetRetriesAsync(int retries, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        return PdkSetters.Int(_event, PdkMethods.ServiceSetRetries, PdkPhases.Access, retries, cancellationToken);
    }

    /// <summary><c>kong.service.set_timeouts(connect, write, read)</c>, in milliseconds (each ≥ 1). Phases: access.</summary>
    [KongPhases(KongPhase.Access)]
    public ValueTask SetTimeoutsAsync(int connectTimeout, int writeTimeout, int readTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connectTimeout, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(writeTimeout, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(readTimeout, 1);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceSetTimeouts, 3, PdkPhases.Access, cancellationToken);
        writer.Write(connectTimeout);
        writer.Write(writeTimeout);
        writer.Write(readTimeout);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.service.set_tls_verify(on)</c>: verify the upstream's certificate; false on error.
    /// Phases: rewrite, access, preread.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Preread)]
    public ValueTask<bool> SetTlsVerifyAsync(bool on, CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceSetTlsVerify, 1, TargetPhases, cancellationToken);
        writer.Write(on);
        return _event.SendCallAsync(ref writer, PdkDecoders.Boolean);
    }

    /// <summary><c>kong.service.set_tls_verify_depth(depth)</c>: the upstream certificate chain depth; false on
    /// error. Phases: rewrite, access, preread.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Preread)]
    public ValueTask<bool> SetTlsVerifyDepthAsync(int depth, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceSetTlsVerifyDepth, 1, TargetPhases, cancellationToken);
        writer.Write(depth);
        return _event.SendCallAsync(ref writer, PdkDecoders.Boolean);
    }
}

/// <summary><c>kong.service.request</c>: changes the request Kong sends upstream. Phases: rewrite, access.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongServiceRequest
{
    private const PdkPhases Phases = PdkPhases.RewriteAccess;

    private readonly KongEvent? _handle;

    internal KongServiceRequest(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongServiceRequest));

    /// <summary><c>kong.service.request.enable_buffering()</c>: buffer the upstream response so that the
    /// <c>response</c> phase can read it. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask EnableBufferingAsync(CancellationToken cancellationToken = default)
        => PdkSetters.NoArgs(_event, PdkMethods.ServiceRequestEnableBuffering, Phases, cancellationToken);

    /// <summary><c>kong.service.request.set_scheme(scheme)</c>: <c>http</c> or <c>https</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetSchemeAsync(string scheme, CancellationToken cancellationToken = default) => Str(PdkMethods.ServiceRequestSetScheme, scheme, cancellationToken);

    /// <summary><c>kong.service.request.set_path(path)</c>: the upstream path (starts with <c>/</c>, no query).
    /// Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetPathAsync(string path, CancellationToken cancellationToken = default) => Str(PdkMethods.ServiceRequestSetPath, path, cancellationToken);

    /// <summary><c>kong.service.request.set_raw_query(query)</c>: the query string, without <c>?</c>, sent as is.
    /// Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetRawQueryAsync(string query, CancellationToken cancellationToken = default) => Str(PdkMethods.ServiceRequestSetRawQuery, query, cancellationToken);

    /// <summary><c>kong.service.request.set_method(method)</c>: <c>GET</c>, <c>POST</c>, …. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetMethodAsync(string method, CancellationToken cancellationToken = default) => Str(PdkMethods.ServiceRequestSetMethod, method, cancellationToken);

    /// <summary><c>kong.service.request.set_query(args)</c>: replaces the query with these arguments (Kong
    /// encodes them). Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetQueryAsync(IReadOnlyDictionary<string, string> args, CancellationToken cancellationToken = default)
        => PdkSetters.Map(_event, PdkMethods.ServiceRequestSetQuery, Phases, args, cancellationToken);

    /// <summary><c>kong.service.request.set_query(args)</c> with repeated arguments (a <see cref="KongMultiMap"/>
    /// from <c>GetQueryAsync</c> fits). For an argument without a value, use the <see cref="KongValue"/> overload with
    /// <c>true</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetQueryAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> args, CancellationToken cancellationToken = default)
        => PdkSetters.Map(_event, PdkMethods.ServiceRequestSetQuery, Phases, args, cancellationToken);

    /// <summary><c>kong.service.request.set_query(args)</c> with any values Kong accepts: string, list of strings,
    /// or <c>true</c> for an argument without a value. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetQueryAsync(KongValue args, CancellationToken cancellationToken = default)
        => PdkSetters.Value(_event, PdkMethods.ServiceRequestSetQuery, Phases, args, cancellationToken);

    /// <summary><c>kong.service.request.clear_query_arg(name)</c>: removes every occurrence. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask ClearQueryArgAsync(string name, CancellationToken cancellationToken = default) => Str(PdkMethods.ServiceRequestClearQueryArg, name, cancellationToken);

    /// <summary><c>kong.service.request.set_header(name, value)</c>: replaces the header upstream. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetHeaderAsync(string name, string value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestSetHeader, Phases, name, value, cancellationToken);

    /// <summary><c>kong.service.request.set_header(name, number)</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetHeaderAsync(string name, long value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestSetHeader, Phases, name, value, cancellationToken);

    /// <summary><c>kong.service.request.set_header(name, number)</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetHeaderAsync(string name, double value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestSetHeader, Phases, name, value, cancellationToken);

    /// <summary><c>kong.service.request.set_header(name, bool)</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetHeaderAsync(string name, bool value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestSetHeader, Phases, name, value, cancellationToken);

    /// <summary><c>kong.service.request.set_header(name, {values})</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetHeaderAsync(string name, IReadOnlyList<string> values, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestSetHeader, Phases, name, values, cancellationToken);

    /// <summary><c>kong.service.request.add_header(name, value)</c>: adds a value, keeping earlier ones. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask AddHeaderAsync(string name, string value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestAddHeader, Phases, name, value, cancellationToken);

    /// <summary><c>kong.service.request.add_header(name, number)</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask AddHeaderAsync(string name, long value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestAddHeader, Phases, name, value, cancellationToken);

    /// <summary><c>kong.service.request.add_header(name, number)</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask AddHeaderAsync(string name, double value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestAddHeader, Phases, name, value, cancellationToken);

    /// <summary><c>kong.service.request.add_header(name, bool)</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask AddHeaderAsync(string name, bool value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestAddHeader, Phases, name, value, cancellationToken);

    /// <summary><c>kong.service.request.add_header(name, {values})</c>. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask AddHeaderAsync(string name, IReadOnlyList<string> values, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ServiceRequestAddHeader, Phases, name, values, cancellationToken);

    /// <summary><c>kong.service.request.clear_header(name)</c>: removes the header upstream. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask ClearHeaderAsync(string name, CancellationToken cancellationToken = default) => Str(PdkMethods.ServiceRequestClearHeader, name, cancellationToken);

    /// <summary><c>kong.service.request.set_headers(map)</c>: sets several headers. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetHeadersAsync(IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
        => PdkSetters.Map(_event, PdkMethods.ServiceRequestSetHeaders, Phases, headers, cancellationToken);

    /// <summary><c>kong.service.request.set_headers(map)</c> with several values per name. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetHeadersAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> headers, CancellationToken cancellationToken = default)
        => PdkSetters.Map(_event, PdkMethods.ServiceRequestSetHeaders, Phases, headers, cancellationToken);

    /// <summary><c>kong.service.request.set_raw_body(body)</c>: the upstream body as bytes (sent as bin).
    /// Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetRawBodyAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceRequestSetRawBody, 1, Phases, cancellationToken);
        writer.Write(body.Span);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.service.request.set_raw_body(body)</c>: the upstream body as UTF-8 text. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetRawBodyAsync(string body, CancellationToken cancellationToken = default) => Str(PdkMethods.ServiceRequestSetRawBody, body, cancellationToken);

    /// <summary><c>kong.service.request.set_body(args, mime?)</c>: encodes <paramref name="args"/> (a map) by
    /// content type (form-urlencoded, multipart, JSON); false when Kong cannot. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask<bool> SetBodyAsync(KongValue args, string? mimeType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.IsNil) throw new ArgumentException("The body arguments cannot be nil.", nameof(args));
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceRequestSetBody, mimeType is null ? 1 : 2, Phases, cancellationToken);
        args.WriteTo(ref writer);
        if (mimeType is not null) writer.Write(mimeType);
        return _event.SendCallAsync(ref writer, PdkDecoders.Boolean);
    }

    private ValueTask Str(byte[] method, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        return PdkSetters.String(_event, method, Phases, value, cancellationToken);
    }
}

/// <summary><c>kong.service.response</c>: the upstream's response, readable only in <c>response</c> (buffered
/// proxying, kong-protocol.md §7).
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongServiceResponse
{
    private const PdkPhases Phases = PdkPhases.Response;

    private readonly KongEvent? _handle;

    internal KongServiceResponse(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongServiceResponse));

    /// <summary><c>kong.service.response.get_status()</c>: the upstream status. Phases: response.</summary>
    [KongPhases(KongPhase.Response)]
    public ValueTask<int> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceResponseGetStatus, 0, Phases, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Int32);
    }

    /// <summary><c>kong.service.response.get_header(name)</c>: the first value of an upstream header, or null.
    /// Phases: response.</summary>
    [KongPhases(KongPhase.Response)]
    public ValueTask<string?> GetHeaderAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceResponseGetHeader, 1, Phases, cancellationToken);
        writer.Write(name);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.service.response.get_headers()</c>: the upstream headers, names compared case-insensitively
    /// (headers that exist only upstream may be missing, a Lua PDK limitation). Phases: response.</summary>
    [KongPhases(KongPhase.Response)]
    public ValueTask<KongMultiMap> GetHeadersAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceResponseGetHeaders, 0, Phases, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.MultiMapIgnoreCase);
    }

    /// <summary><c>kong.service.response.get_headers(max)</c>, with up to <paramref name="max"/> headers (1–1000).
    /// Phases: response.</summary>
    [KongPhases(KongPhase.Response)]
    public ValueTask<KongMultiMap> GetHeadersAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, 1000);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceResponseGetHeaders, 1, Phases, cancellationToken);
        writer.Write(max);
        return _event.SendCallAsync(ref writer, PdkDecoders.MultiMapIgnoreCase);
    }

    /// <summary><c>kong.service.response.get_raw_body()</c>: the buffered upstream body as bytes (bin on the
    /// wire). Phases: response.</summary>
    [KongPhases(KongPhase.Response)]
    public ValueTask<byte[]> GetRawBodyAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceResponseGetRawBody, 0, Phases, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Bytes);
    }

    /// <summary><c>kong.service.response.get_raw_body()</c> decoded as UTF-8 (U+FFFD for invalid sequences).
    /// Phases: response.</summary>
    [KongPhases(KongPhase.Response)]
    public ValueTask<string> GetRawBodyStringAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceResponseGetRawBody, 0, Phases, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }

    /// <summary><c>kong.service.response.get_body(mime?, max_args?)</c>: the upstream body parsed by content type,
    /// or <see cref="KongValue.Nil"/>. Phases: response.</summary>
    [KongPhases(KongPhase.Response)]
    public ValueTask<KongValue> GetBodyAsync(string? mimeType = null, int? maxArgs = null, CancellationToken cancellationToken = default)
    {
        if (mimeType is null && maxArgs is not null) throw new ArgumentException("kong.service.response.get_body: pass mimeType when maxArgs is given (no nil before a later argument).", nameof(mimeType));
        int count = maxArgs is not null ? 2 : mimeType is not null ? 1 : 0;
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ServiceResponseGetBody, count, Phases, cancellationToken);
        if (count >= 1) writer.Write(mimeType);
        if (count == 2) writer.Write(maxArgs!.Value);
        return _event.SendCallAsync(ref writer, PdkDecoders.Value);
    }
}
