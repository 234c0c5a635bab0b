using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.response</c>: the response Kong sends to the client. Getters work in <c>response</c> and
/// (from saved data) in <c>log</c>; setters in <c>rewrite</c>, <c>access</c> and <c>response</c>.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
/// <remarks>Header values that are not valid UTF-8 are decoded with U+FFFD replacement characters.</remarks>
public readonly struct KongResponse
{
    private const PdkPhases Setters = PdkPhases.Request;
    private const PdkPhases Getters = PdkPhases.Response | PdkPhases.Log;

    private readonly KongEvent? _handle;

    internal KongResponse(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongResponse));

    /// <summary><c>kong.response.get_status()</c>: the status code that will be (or was) sent. Phases: response, log.</summary>
    [KongPhases(KongPhase.Response, KongPhase.Log)]
    public ValueTask<int> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ResponseGetStatus, 0, Getters, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Int32);
    }

    /// <summary><c>kong.response.get_header(name)</c>: the first value of a response header, or null. Phases: response, log.</summary>
    [KongPhases(KongPhase.Response, KongPhase.Log)]
    public ValueTask<string?> GetHeaderAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ResponseGetHeader, 1, Getters, cancellationToken);
        writer.Write(name);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.response.get_headers()</c>: all response headers (up to 100), names compared
    /// case-insensitively. Phases: response, log.</summary>
    [KongPhases(KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongMultiMap> GetHeadersAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ResponseGetHeaders, 0, Getters, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.MultiMapIgnoreCase);
    }

    /// <summary><c>kong.response.get_headers(max)</c>, with up to <paramref name="max"/> headers (1–1000). Phases: response, log.</summary>
    [KongPhases(KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongMultiMap> GetHeadersAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, 1000);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ResponseGetHeaders, 1, Getters, cancellationToken);
        writer.Write(max);
        return _event.SendCallAsync(ref writer, PdkDecoders.MultiMapIgnoreCase);
    }

    /// <summary><c>kong.response.get_source()</c>: <c>"service"</c> (the upstream answered), <c>"exit"</c> (a
    /// plugin exited) or <c>"error"</c>. Phases: response, log.</summary>
    [KongPhases(KongPhase.Response, KongPhase.Log)]
    public ValueTask<string> GetSourceAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ResponseGetSource, 0, Getters, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }

    /// <summary><c>kong.response.set_status(status)</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetStatusAsync(int status, CancellationToken cancellationToken = default)
        => PdkSetters.Int(_event, PdkMethods.ResponseSetStatus, Setters, status, cancellationToken);

    /// <summary><c>kong.response.set_header(name, value)</c>: sets a response header, replacing earlier values.
    /// Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetHeaderAsync(string name, string value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseSetHeader, Setters, name, value, cancellationToken);

    /// <summary><c>kong.response.set_header(name, number)</c>: Kong formats the number. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetHeaderAsync(string name, long value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseSetHeader, Setters, name, value, cancellationToken);

    /// <summary><c>kong.response.set_header(name, number)</c>: Kong formats the number. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetHeaderAsync(string name, double value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseSetHeader, Setters, name, value, cancellationToken);

    /// <summary><c>kong.response.set_header(name, bool)</c>: <c>true</c>/<c>false</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetHeaderAsync(string name, bool value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseSetHeader, Setters, name, value, cancellationToken);

    /// <summary><c>kong.response.set_header(name, {values})</c>: one header line per value. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetHeaderAsync(string name, IReadOnlyList<string> values, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseSetHeader, Setters, name, values, cancellationToken);

    /// <summary><c>kong.response.add_header(name, value)</c>: adds a value, keeping earlier ones. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask AddHeaderAsync(string name, string value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseAddHeader, Setters, name, value, cancellationToken);

    /// <summary><c>kong.response.add_header(name, number)</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask AddHeaderAsync(string name, long value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseAddHeader, Setters, name, value, cancellationToken);

    /// <summary><c>kong.response.add_header(name, number)</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask AddHeaderAsync(string name, double value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseAddHeader, Setters, name, value, cancellationToken);

    /// <summary><c>kong.response.add_header(name, bool)</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask AddHeaderAsync(string name, bool value, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseAddHeader, Setters, name, value, cancellationToken);

    /// <summary><c>kong.response.add_header(name, {values})</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask AddHeaderAsync(string name, IReadOnlyList<string> values, CancellationToken cancellationToken = default)
        => PdkSetters.Header(_event, PdkMethods.ResponseAddHeader, Setters, name, values, cancellationToken);

    /// <summary><c>kong.response.clear_header(name)</c>: removes every value. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ClearHeaderAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return PdkSetters.String(_event, PdkMethods.ResponseClearHeader, Setters, name, cancellationToken);
    }

    /// <summary><c>kong.response.set_headers(map)</c>: sets several headers at once, each replacing earlier values.
    /// Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetHeadersAsync(IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
        => PdkSetters.Map(_event, PdkMethods.ResponseSetHeaders, Setters, headers, cancellationToken);

    /// <summary><c>kong.response.set_headers(map)</c> with several values per name (a <see cref="KongMultiMap"/>
    /// fits). Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask SetHeadersAsync(IReadOnlyDictionary<string, IReadOnlyList<string>> headers, CancellationToken cancellationToken = default)
        => PdkSetters.Map(_event, PdkMethods.ResponseSetHeaders, Setters, headers, cancellationToken);

    /// <summary>
    /// <c>kong.response.exit(status, body, headers)</c>: ends the request with this response. <b>Terminal</b>: Kong
    /// never answers it, so the returned task always throws <see cref="KongEventEndedException"/> (reason
    /// <see cref="KongEventEndReason.Exited"/>), which unwinds the handler; the server treats that as a normal end.
    /// Code after the await does not run, and any later PDK call on this event throws. Phases: rewrite, access, response.
    /// </summary>
    /// <remarks>Headers without a body are sent as <c>kong.response.set_headers</c> first, then
    /// <c>exit(status)</c>, because Kong would lose headers that follow a nil body (kong-protocol.md §3.3).</remarks>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ExitAsync(int status, string? body = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
        => TerminalAsync(PdkMethods.ResponseExit, status, body is null ? null : KongBody.Text, body, default, null, headers, null, cancellationToken);

    /// <summary><c>kong.response.exit(status, body, headers)</c> with multi-valued headers. <b>Terminal</b>, like
    /// <see cref="ExitAsync(int, string?, IReadOnlyDictionary{string, string}?, CancellationToken)"/>.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ExitAsync(int status, string? body, IReadOnlyDictionary<string, IReadOnlyList<string>>? headers, CancellationToken cancellationToken = default)
        => TerminalAsync(PdkMethods.ResponseExit, status, body is null ? null : KongBody.Text, body, default, null, null, headers, cancellationToken);

    /// <summary><c>kong.response.exit(status, body, headers)</c> with a binary body, sent as MessagePack bin (any
    /// bytes; a separate name so that <c>ExitAsync(status, null, headers)</c> stays unambiguous). <b>Terminal</b>, like <see cref="ExitAsync(int, string?, IReadOnlyDictionary{string, string}?, CancellationToken)"/>.
    /// Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ExitBytesAsync(int status, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
        => TerminalAsync(PdkMethods.ResponseExit, status, KongBody.Bytes, null, body, null, headers, null, cancellationToken);

    /// <summary><c>kong.response.exit(status, body, headers)</c> with a binary body and multi-valued headers. <b>Terminal</b>.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ExitBytesAsync(int status, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, IReadOnlyList<string>>? headers, CancellationToken cancellationToken = default)
        => TerminalAsync(PdkMethods.ResponseExit, status, KongBody.Bytes, null, body, null, null, headers, cancellationToken);

    /// <summary><c>kong.response.exit(status, {…}, headers)</c>: Kong JSON-encodes the map (or list) and sets
    /// <c>Content-Type: application/json</c>. <b>Terminal</b>, like
    /// <see cref="ExitAsync(int, string?, IReadOnlyDictionary{string, string}?, CancellationToken)"/>. An empty map is
    /// written as <c>80</c> but Kong encodes every empty table as <c>{}</c>. Phases: rewrite, access, response.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ExitJsonAsync(int status, KongValue body, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Kind is not (KongValueKind.Map or KongValueKind.List)) throw new ArgumentException("A JSON body must be a map or a list; use ExitAsync for text.", nameof(body));
        return TerminalAsync(PdkMethods.ResponseExit, status, KongBody.Json, null, default, body, headers, null, cancellationToken);
    }

    /// <summary><c>kong.response.exit(status, {…}, headers)</c> with multi-valued headers. <b>Terminal</b>.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ExitJsonAsync(int status, KongValue body, IReadOnlyDictionary<string, IReadOnlyList<string>>? headers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Kind is not (KongValueKind.Map or KongValueKind.List)) throw new ArgumentException("A JSON body must be a map or a list; use ExitAsync for text.", nameof(body));
        return TerminalAsync(PdkMethods.ResponseExit, status, KongBody.Json, null, default, body, null, headers, cancellationToken);
    }

    /// <summary>
    /// <c>kong.response.error(status, message, headers)</c>: ends the request with Kong's error page for
    /// <paramref name="status"/> (JSON, XML, HTML or text by the client's <c>Accept</c>). <b>Terminal</b>, like
    /// <see cref="ExitAsync(int, string?, IReadOnlyDictionary{string, string}?, CancellationToken)"/>.
    /// Phases: rewrite, access, response.
    /// </summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ErrorAsync(int status, string? message = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
        => TerminalAsync(PdkMethods.ResponseError, status, message is null ? null : KongBody.Text, message, default, null, headers, null, cancellationToken);

    /// <summary><c>kong.response.error(status, message, headers)</c> with multi-valued headers. <b>Terminal</b>.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask ErrorAsync(int status, string? message, IReadOnlyDictionary<string, IReadOnlyList<string>>? headers, CancellationToken cancellationToken = default)
        => TerminalAsync(PdkMethods.ResponseError, status, message is null ? null : KongBody.Text, message, default, null, null, headers, cancellationToken);

    private enum KongBody
    {
        Text,
        Bytes,
        Json,
    }

    // One async method for every variant keeps the state machine pooled and the argument logic in one place.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask TerminalAsync(byte[] method, int status, KongBody? bodyKind, string? text, ReadOnlyMemory<byte> bytes, KongValue? json,
        IReadOnlyDictionary<string, string>? headers, IReadOnlyDictionary<string, IReadOnlyList<string>>? multiHeaders, CancellationToken cancellationToken)
    {
        if (status is < 100 or > 999) throw new ArgumentOutOfRangeException(nameof(status), status, "An HTTP status is between 100 and 999.");
        bool hasHeaders = headers is { Count: > 0 } || multiHeaders is { Count: > 0 };
        if (bodyKind is null && hasHeaders)
        {
            // Never [status, nil, headers]: Kong would see one argument and drop the headers (kong-protocol.md §3.3).
            MessagePackWriter set = _event.BeginCall(PdkMethods.ResponseSetHeaders, 1, PdkPhases.Request, cancellationToken);
            if (headers is not null) PdkWrite.StringMap(ref set, headers, nameof(headers));
            else PdkWrite.StringListMap(ref set, multiHeaders!, nameof(headers));
            await _event.SendIgnoredCallAsync(ref set).ConfigureAwait(false);
            hasHeaders = false;
        }

        int argCount = hasHeaders ? 3 : bodyKind is not null ? 2 : 1;
        MessagePackWriter writer = _event.BeginCall(method, argCount, PdkPhases.Request, cancellationToken);
        writer.Write(status);
        if (argCount >= 2)
        {
            switch (bodyKind)
            {
                case KongBody.Text: writer.Write(text); break;
                case KongBody.Bytes: writer.Write(bytes.Span); break;
                default: json!.WriteTo(ref writer); break;
            }
        }

        if (argCount == 3)
        {
            if (headers is { Count: > 0 }) PdkWrite.StringMap(ref writer, headers, nameof(headers));
            else PdkWrite.StringListMap(ref writer, multiHeaders!, nameof(headers));
        }

        await _event.SendTerminalAsync(ref writer).ConfigureAwait(false);
    }
}
