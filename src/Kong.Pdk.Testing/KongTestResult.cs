using System.Text;

namespace Kong.Pdk.Testing;

/// <summary>One PDK call the plugin made, in order.</summary>
/// <param name="Phase">The phase it was made in.</param>
/// <param name="Method">The PDK function, e.g. <c>kong.request.get_header</c>.</param>
/// <param name="Args">The decoded <c>Args</c> (see <see cref="MsgPackValue"/> for the types).</param>
public sealed record KongPdkCall(KongPhase Phase, string Method, IReadOnlyList<object?> Args)
{
    /// <summary>What the fake answered (null for nil, and for terminal calls).</summary>
    public object? Result { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"{Phase.ToWireName()}: {Method}({string.Join(", ", Args.Select(MsgPackValue.ToJson))})";
}

/// <summary>One <c>kong.log.*</c> line.</summary>
/// <param name="Phase">The phase it was logged in.</param>
/// <param name="Level"><c>alert</c>, <c>crit</c>, <c>err</c>, <c>warn</c>, <c>notice</c>, <c>info</c>, <c>debug</c> or <c>deprecation</c>.</param>
/// <param name="Message">The arguments concatenated as Kong does (no separator).</param>
public sealed record KongLogEntry(KongPhase Phase, string Level, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Level}] {Message}";
}

/// <summary>The response the client received.</summary>
public sealed class KongTestResponse
{
    internal KongTestResponse(int status, KongTestHeaders headers, byte[] body, string source)
    {
        Status = status;
        Headers = headers;
        Body = body;
        Source = source;
    }

    /// <summary>Status code.</summary>
    public int Status { get; }

    /// <summary>Headers, in order.</summary>
    public KongTestHeaders Headers { get; }

    /// <summary>Body bytes.</summary>
    public byte[] Body { get; }

    /// <summary>Body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary><c>kong.response.get_source()</c>: <c>service</c>, <c>exit</c> or <c>error</c>.</summary>
    public string Source { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Status} ({Source})\n{Headers}\n\n{BodyText}";
}

/// <summary>Everything a run produced.</summary>
public sealed class KongTestResult
{
    internal KongTestResult(FakeKongState state)
    {
        State = state;
        Response = new KongTestResponse(state.ResponseStatus, state.ResponseHeaders, state.ResponseBody, state.ResponseSource);
    }

    /// <summary>The full state of the fake Kong at the end of the run.</summary>
    public FakeKongState State { get; }

    /// <summary>The response the client received.</summary>
    public KongTestResponse Response { get; }

    /// <summary>The request as the upstream received it; null when the request was not proxied (an exit).</summary>
    public KongUpstreamRequest? UpstreamRequest => State.Proxied ? State.ServiceRequest : null;

    /// <summary>The upstream's response as received (before the plugin changed anything); null when not proxied.</summary>
    public KongUpstreamResponse? UpstreamResponse => State.ServiceResponse;

    /// <summary><c>kong.ctx.shared</c> at the end of the run.</summary>
    public IReadOnlyDictionary<string, object?> Shared => State.Shared;

    /// <summary>Every <c>kong.log.*</c> line, in order.</summary>
    public IReadOnlyList<KongLogEntry> Logs => State.Logs;

    /// <summary>Every PDK call, in order.</summary>
    public IReadOnlyList<KongPdkCall> Calls => State.Calls;

    /// <summary>The phases that ran, in order.</summary>
    public IReadOnlyList<KongPhase> Phases => State.PhasesRun;

    /// <summary>The phase in which <c>kong.response.exit</c> or <c>error</c> was called, or null.</summary>
    public KongPhase? ExitedIn => State.ExitedIn;

    /// <summary>The calls to <paramref name="method"/>.</summary>
    public IReadOnlyList<KongPdkCall> CallsTo(string method) => State.Calls.Where(c => c.Method == method).ToList();

    /// <summary>The messages logged at <paramref name="level"/> (<c>err</c>, <c>warn</c>, ...).</summary>
    public IReadOnlyList<string> LogsAt(string level) => State.Logs.Where(l => l.Level == level).Select(l => l.Message).ToList();
}

/// <summary>
/// The fake Kong's state for one request, read and changed by the PDK handlers (<see cref="FakePdk"/>). Custom
/// handlers may change it freely.
/// </summary>
public sealed class FakeKongState
{
    internal FakeKongState(KongTestRequest request, string pluginId)
    {
        Request = request;
        PluginId = pluginId;
        Consumer = request.Consumer;
        Credential = request.Credential;
        foreach (KeyValuePair<string, object?> pair in request.Shared) Shared[pair.Key] = pair.Value;
        foreach (KeyValuePair<string, object?> pair in request.NginxCtx) NginxCtx[pair.Key] = pair.Value;

        RequestHeaders = new KongTestHeaders(request.Headers);
        if (!RequestHeaders.Contains("host"))
        {
            bool defaultPort = request.Port is null || request.Port == (request.Scheme == "https" ? 443 : 80);
            RequestHeaders.Add("host", defaultPort ? request.Host : request.Host + ":" + request.Port);
        }

        if (request.Body.Length > 0 && !RequestHeaders.Contains("content-length") && !RequestHeaders.Contains("transfer-encoding"))
        {
            RequestHeaders.Add("content-length", request.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        ServiceRequest = new KongUpstreamRequest
        {
            Method = request.Method,
            Scheme = request.Service.GetValueOrDefault("protocol") as string ?? "http",
            Host = request.Service.GetValueOrDefault("host") as string ?? "localhost",
            Port = Convert.ToInt32(request.Service.GetValueOrDefault("port") ?? 80L, System.Globalization.CultureInfo.InvariantCulture),
            Path = JoinPath(request.Service.GetValueOrDefault("path") as string, request.Path),
            RawQuery = request.RawQuery,
            Headers = new KongTestHeaders(RequestHeaders),
            Body = request.Body,
            Retries = Convert.ToInt32(request.Service.GetValueOrDefault("retries") ?? 5L, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The client's request.</summary>
    public KongTestRequest Request { get; }

    /// <summary>The client's request headers, with <c>host</c> (and <c>content-length</c>) filled in.</summary>
    public KongTestHeaders RequestHeaders { get; }

    /// <summary>The plugin entity id (<c>kong.plugin.get_id</c>).</summary>
    public string PluginId { get; }

    /// <summary>The phase running now.</summary>
    public KongPhase Phase { get; internal set; }

    /// <summary>The phases run so far.</summary>
    public List<KongPhase> PhasesRun { get; } = [];

    /// <summary>The request Kong will send (or sent) upstream; changed by <c>kong.service.*</c>.</summary>
    public KongUpstreamRequest ServiceRequest { get; internal set; }

    /// <summary>True once the request was proxied.</summary>
    public bool Proxied { get; internal set; }

    /// <summary>The upstream's response, once proxied.</summary>
    public KongUpstreamResponse? ServiceResponse { get; internal set; }

    /// <summary>Response status. Before proxying it is what <c>set_status</c> set (the upstream's status replaces it, as in nginx).</summary>
    public int ResponseStatus { get; set; } = 200;

    /// <summary>Response headers. Before proxying: what the plugin set; they are applied over the upstream's.</summary>
    public KongTestHeaders ResponseHeaders { get; internal set; } = new();

    /// <summary>Response body.</summary>
    public byte[] ResponseBody { get; set; } = [];

    /// <summary><c>service</c>, <c>exit</c> or <c>error</c>.</summary>
    public string ResponseSource { get; set; } = "service";

    /// <summary>The phase that called exit/error, or null.</summary>
    public KongPhase? ExitedIn { get; internal set; }

    /// <summary>The authenticated consumer (changed by <c>kong.client.authenticate</c>).</summary>
    public Dictionary<string, object?>? Consumer { get; set; }

    /// <summary>The authenticated credential.</summary>
    public Dictionary<string, object?>? Credential { get; set; }

    /// <summary>Consumer groups set by <c>set_authenticated_consumer_groups</c> (null: the request's).</summary>
    public List<object?>? AuthenticatedGroups { get; set; }

    /// <summary><c>kong.ctx.shared</c>.</summary>
    public Dictionary<string, object?> Shared { get; } = new(StringComparer.Ordinal);

    /// <summary><c>ngx.ctx</c> (<c>kong.nginx.get_ctx</c>/<c>set_ctx</c>).</summary>
    public Dictionary<string, object?> NginxCtx { get; } = new(StringComparer.Ordinal);

    /// <summary>Values added by <c>kong.log.set_serialize_value</c>.</summary>
    public Dictionary<string, object?> SerializeValues { get; } = new(StringComparer.Ordinal);

    /// <summary>Logged lines.</summary>
    public List<KongLogEntry> Logs { get; } = [];

    /// <summary>PDK calls.</summary>
    public List<KongPdkCall> Calls { get; } = [];

    /// <summary>Telemetry records from <c>kong.telemetry.log</c>.</summary>
    public List<IReadOnlyList<object?>> Telemetry { get; } = [];

    internal HashSet<string> ClearedBeforeProxy { get; } = new(StringComparer.OrdinalIgnoreCase);

    private static string JoinPath(string? servicePath, string requestPath)
    {
        if (string.IsNullOrEmpty(servicePath) || servicePath == "/") return requestPath;
        return servicePath.TrimEnd('/') + (requestPath == "/" ? "" : requestPath);
    }
}
