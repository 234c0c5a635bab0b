using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary>
/// <c>kong.request</c>: the request as the client sent it. Each call is one round trip to Kong. None of these work
/// in <c>log</c> except <see cref="GetHeaderAsync"/>, <see cref="GetHeadersAsync(CancellationToken)"/> and
/// <see cref="GetUriCapturesAsync"/>, which Kong serves from saved data there (kong-protocol.md §6.2).
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.
/// </summary>
/// <remarks>
/// <b>Strings that are not UTF-8.</b> Header values, query strings and paths are byte strings in Kong. A value that
/// is not valid UTF-8 never throws: the returned <see cref="string"/> holds U+FFFD for each invalid sequence. Use
/// <see cref="GetHeaderBytesAsync"/> or <see cref="GetRawBodyAsync"/> for exact bytes.
/// </remarks>
public readonly struct KongRequest
{
    private const PdkPhases Phases = PdkPhases.Request;
    private const PdkPhases PhasesWithLog = PdkPhases.Request | PdkPhases.Log;

    private readonly KongEvent? _handle;

    internal KongRequest(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongRequest));

    /// <summary><c>kong.request.get_scheme()</c>: <c>http</c> or <c>https</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetSchemeAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetScheme, cancellationToken);

    /// <summary><c>kong.request.get_host()</c>: the host, lower-case, without the port. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetHostAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetHost, cancellationToken);

    /// <summary><c>kong.request.get_port()</c>: the port the request came in on. Phases: certificate, rewrite, access, response.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<int> GetPortAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetPort, 0, PdkPhases.CertificateRequest, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Int32);
    }

    /// <summary><c>kong.request.get_forwarded_scheme()</c>: the scheme, honouring <c>X-Forwarded-Proto</c> from
    /// trusted addresses. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetForwardedSchemeAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetForwardedScheme, cancellationToken);

    /// <summary><c>kong.request.get_forwarded_host()</c>: the host, honouring <c>X-Forwarded-Host</c> from trusted
    /// addresses. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetForwardedHostAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetForwardedHost, cancellationToken);

    /// <summary><c>kong.request.get_forwarded_port()</c>: the port, honouring <c>X-Forwarded-Port</c> from trusted
    /// addresses. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<int> GetForwardedPortAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetForwardedPort, 0, Phases, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Int32);
    }

    /// <summary><c>kong.request.get_forwarded_path()</c>: the path, honouring <c>X-Forwarded-Path</c> from trusted
    /// addresses. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetForwardedPathAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetForwardedPath, cancellationToken);

    /// <summary><c>kong.request.get_forwarded_prefix()</c>: the prefix from <c>X-Forwarded-Prefix</c> (trusted
    /// addresses), or the stripped route path; null when none. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string?> GetForwardedPrefixAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetForwardedPrefix, 0, Phases, cancellationToken);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.request.get_http_version()</c>: 1.0, 1.1, 2 or 3. Kong sends an integral version as an
    /// integer and <c>1.1</c> as a float; both arrive here as a double. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<double> GetHttpVersionAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetHttpVersion, 0, Phases, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Double);
    }

    /// <summary><c>kong.request.get_method()</c>: the HTTP method, e.g. <c>GET</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetMethodAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetMethod, cancellationToken);

    /// <summary><c>kong.request.get_path()</c>: the normalized path, without the query string.
    /// Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetPathAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetPath, cancellationToken);

    /// <summary><c>kong.request.get_raw_path()</c>: the path as the client sent it (not normalized, still
    /// percent-encoded). Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetRawPathAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetRawPath, cancellationToken);

    /// <summary><c>kong.request.get_path_with_query()</c>: the path and the query string. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetPathWithQueryAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetPathWithQuery, cancellationToken);

    /// <summary><c>kong.request.get_raw_query()</c>: the query string without <c>?</c>, still percent-encoded;
    /// empty when there is none. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetRawQueryAsync(CancellationToken cancellationToken = default) => NoArgString(PdkMethods.RequestGetRawQuery, cancellationToken);

    /// <summary><c>kong.request.get_start_time()</c>: when Kong received the request, in milliseconds since the
    /// Unix epoch (an integer or a float on the wire). Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<double> GetStartTimeAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetStartTime, 0, Phases, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Double);
    }

    /// <summary><c>kong.request.get_query_arg(name)</c>: the first value of a query argument (percent-decoded);
    /// an empty string when it has no value (<c>?flag</c>, which Kong sends as <c>true</c>); null when absent.
    /// The name is case-sensitive. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string?> GetQueryArgAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetQueryArg, 1, Phases, cancellationToken);
        writer.Write(name);
        return _event.SendCallAsync(ref writer, PdkDecoders.QueryArg);
    }

    /// <summary><c>kong.request.get_query()</c>: all query arguments (up to Kong's default of 100), percent-decoded,
    /// names compared case-sensitively. A repeated argument has several values; an argument without a value
    /// (<c>?flag</c>) has an empty list. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<KongMultiMap> GetQueryAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetQuery, 0, Phases, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.MultiMap);
    }

    /// <summary><c>kong.request.get_query(max)</c>: as <see cref="GetQueryAsync(CancellationToken)"/>, with up to
    /// <paramref name="max"/> arguments (1–1000). Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<KongMultiMap> GetQueryAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, 1000);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetQuery, 1, Phases, cancellationToken);
        writer.Write(max);
        return _event.SendCallAsync(ref writer, PdkDecoders.MultiMap);
    }

    /// <summary><c>kong.request.get_header(name)</c>: the first value of a request header, or null when it is
    /// absent. Phases: rewrite, access, response, log (from saved headers).</summary>
    /// <remarks>A value that is not valid UTF-8 is decoded with U+FFFD replacement characters; use
    /// <see cref="GetHeaderBytesAsync"/> for the exact bytes.</remarks>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<string?> GetHeaderAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetHeader, 1, PhasesWithLog, cancellationToken);
        writer.Write(name);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.request.get_header(name)</c>, returning the value's exact bytes (which need not be UTF-8),
    /// or null when it is absent. Phases: rewrite, access, response, log (from saved headers).</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<byte[]?> GetHeaderBytesAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetHeader, 1, PhasesWithLog, cancellationToken);
        writer.Write(name);
        return _event.SendCallAsync(ref writer, PdkDecoders.BytesOrNull);
    }

    /// <summary><c>kong.request.get_headers()</c>: all request headers (up to Kong's default of 100), names
    /// compared case-insensitively. Phases: rewrite, access, response, log (from saved headers).</summary>
    /// <remarks>One round trip for every header: prefer it to several <see cref="GetHeaderAsync"/> calls.</remarks>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongMultiMap> GetHeadersAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetHeaders, 0, PhasesWithLog, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.MultiMapIgnoreCase);
    }

    /// <summary><c>kong.request.get_headers(max)</c>: as <see cref="GetHeadersAsync(CancellationToken)"/>, with up to
    /// <paramref name="max"/> headers (1–1000; ignored in <c>log</c>). Phases: rewrite, access, response, log.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongMultiMap> GetHeadersAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, 1000);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetHeaders, 1, PhasesWithLog, cancellationToken);
        writer.Write(max);
        return _event.SendCallAsync(ref writer, PdkDecoders.MultiMapIgnoreCase);
    }

    /// <summary><c>kong.request.get_raw_body(0)</c>: the request body as bytes (bin on the wire), also when nginx
    /// buffered it to a file (the <c>0</c> lifts the file-size limit, kong-protocol.md §6.3). Empty when there is
    /// no body. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<byte[]> GetRawBodyAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = BeginRawBody(cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Bytes);
    }

    /// <summary><c>kong.request.get_raw_body(0)</c> decoded as UTF-8 (invalid sequences become U+FFFD); use
    /// <see cref="GetRawBodyAsync"/> for the bytes. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetRawBodyStringAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = BeginRawBody(cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }

    private MessagePackWriter BeginRawBody(CancellationToken cancellationToken)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetRawBody, 1, Phases, cancellationToken);
        writer.Write(0);
        return writer;
    }

    /// <summary><c>kong.request.get_body(mime?, max_args?, max_file_size?)</c>: the body parsed by content type
    /// (form-urlencoded, multipart, JSON) as a map, or <see cref="KongValue.Nil"/> when Kong cannot parse it
    /// (Kong 3.x drops the error text and the MIME type, kong-protocol.md §4.7). Phases: rewrite, access, response.</summary>
    /// <param name="mimeType">Parse as this content type instead of the request's <c>Content-Type</c>.</param>
    /// <param name="maxArgs">The most arguments to parse (form bodies). Requires <paramref name="mimeType"/>, since
    /// Kong cannot receive a nil before it.</param>
    /// <param name="maxFileSize">The largest file-buffered body to read. Requires both earlier arguments.</param>
    /// <param name="cancellationToken">Cancels before sending.</param>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<KongValue> GetBodyAsync(string? mimeType = null, int? maxArgs = null, int? maxFileSize = null, CancellationToken cancellationToken = default)
    {
        if (mimeType is null && (maxArgs is not null || maxFileSize is not null)) throw new ArgumentException("kong.request.get_body: pass mimeType when maxArgs or maxFileSize is given (no nil before a later argument).", nameof(mimeType));
        if (maxArgs is null && maxFileSize is not null) throw new ArgumentException("kong.request.get_body: pass maxArgs when maxFileSize is given (no nil before a later argument).", nameof(maxArgs));
        int count = maxFileSize is not null ? 3 : maxArgs is not null ? 2 : mimeType is not null ? 1 : 0;
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetBody, count, Phases, cancellationToken);
        if (count >= 1) writer.Write(mimeType);
        if (count >= 2) writer.Write(maxArgs!.Value);
        if (count >= 3) writer.Write(maxFileSize!.Value);
        return _event.SendCallAsync(ref writer, PdkDecoders.Value);
    }

    /// <summary><c>kong.request.get_uri_captures()</c>: the regex captures of the matched route path; empty when
    /// there are none. Phases: rewrite, access, response, log (from the saved context).</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongUriCaptures> GetUriCapturesAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetUriCaptures, 0, PhasesWithLog, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.UriCaptures);
    }

    private ValueTask<string> NoArgString(byte[] method, CancellationToken cancellationToken)
    {
        MessagePackWriter writer = _event.BeginCall(method, 0, Phases, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }
}
