using System.Buffers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Kong.Pdk.Hosting;
using Kong.Pdk.Server;

namespace Kong.Pdk.Testing;

/// <summary>Settings of a <see cref="PluginTestHost"/>.</summary>
public sealed class PluginTestHostOptions
{
    /// <summary>Bound on one whole run (every phase and the upstream). Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The plugin server's options. By default the production defaults, except a short shutdown drain
    /// (a run that failed leaves its event waiting).</summary>
    public KongServerOptions Server { get; set; } = new() { ShutdownTimeout = TimeSpan.FromMilliseconds(200), LogLevel = KongLogLevel.Info };

    /// <summary>The plugin entity id Kong passes as <c>__plugin_id</c> and returns from <c>kong.plugin.get_id</c>.</summary>
    public string PluginId { get; set; } = "6f0c9a1b-2d3e-4f50-8a6b-7c8d9e0f1a2b";

    /// <summary>The <c>__seq__</c> Kong adds to the config (the instance id). Default 1.</summary>
    public long ConfigSequence { get; set; } = 1;

    /// <summary>When true, every RPC call uses a new connection; by default connections are pooled (last in, first
    /// out) as Kong pools them.</summary>
    public bool ConnectionPerCall { get; set; }
}

/// <summary>
/// An in-memory fake Kong for one plugin configuration. It runs the real plugin server on a private Unix socket and
/// plays Kong over MsgPack:1: <c>plugin.StartInstance</c> with the configuration, then, for each
/// <see cref="RunAsync"/>, one <c>plugin.HandleEvent</c> per phase in Kong's order, serving each PDK call from
/// <see cref="Pdk"/>. Dispose it (<c>await using</c>) to stop the server and remove the socket.
/// </summary>
/// <example><code>
/// await using var host = PluginTestHost.Create(MyPlugin.Descriptor, """{"message":"hi"}""");
/// KongTestResult result = await host.RunAsync(KongTestRequest.Get("/orders"));
/// Assert.Equal("hi", result.Response.Headers["x-message"]);
/// </code></example>
public sealed class PluginTestHost : IAsyncDisposable
{
    private readonly PluginServer _server;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serverTask;
    private readonly StringWriter _serverOutput = new();
    private readonly Stack<FakeKongConnection> _idle = new();
    private readonly object _sync = new();
    private readonly string _configJson;
    private readonly PluginTestHostOptions _options;
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private long _msgId;
    private long? _instanceId;
    private bool _disposed;

    private PluginTestHost(KongPluginDescriptor descriptor, string configJson, PluginTestHostOptions options)
    {
        Descriptor = descriptor;
        _options = options;
        _configJson = AddKongKeys(configJson, descriptor.Name, options);
        SocketPath = Path.Combine(Path.GetTempPath(), "kpt-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        if (Encoding.UTF8.GetByteCount(SocketPath) > 100)
        {
            // sun_path holds 108 bytes; fall back to /tmp when TMPDIR is deep.
            SocketPath = "/tmp/kpt-" + Guid.NewGuid().ToString("N")[..12] + ".sock";
        }

        _server = new PluginServer([descriptor], options.Server, new ServerLog(descriptor.Name, options.Server.LogLevel, TextWriter.Synchronized(_serverOutput)));
        _listener = _server.Bind(SocketPath);
        _serverTask = Task.Run(() => _server.RunAsync(_listener, SocketPath, _stop.Token));
    }

    /// <summary>Starts a fake Kong for <paramref name="descriptor"/> configured with <paramref name="configJson"/>
    /// (the plugin's <c>config</c> object as JSON; Kong's own keys such as <c>__seq__</c> are added).</summary>
    /// <exception cref="ArgumentException">The config is not a JSON object.</exception>
    public static PluginTestHost Create(KongPluginDescriptor descriptor, string configJson = "{}", PluginTestHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(configJson);
        return new PluginTestHost(descriptor, configJson, options ?? new PluginTestHostOptions());
    }

    /// <summary>Starts a fake Kong with a configuration given as a map (values: strings, numbers, booleans, lists,
    /// maps, null), written as JSON the way Kong's cjson would.</summary>
    public static PluginTestHost Create(KongPluginDescriptor descriptor, IReadOnlyDictionary<string, object?> config, PluginTestHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Create(descriptor, MsgPackValue.ToJson(config), options);
    }

    /// <summary>The plugin.</summary>
    public KongPluginDescriptor Descriptor { get; }

    /// <summary>The PDK functions the fake serves; replace or add entries to change its behaviour.</summary>
    public FakePdk Pdk { get; } = FakePdk.CreateDefault();

    /// <summary>The upstream used when a request names none. Default <see cref="KongUpstreamResponse.Echo"/>.</summary>
    public KongUpstreamHandler Upstream { get; set; } = KongUpstreamResponse.Echo;

    /// <summary>The Unix socket the plugin server listens on.</summary>
    public string SocketPath { get; }

    /// <summary>The config JSON sent in <c>plugin.StartInstance</c> (with Kong's keys).</summary>
    public string ConfigJson => _configJson;

    /// <summary>The instance id the server returned, once started.</summary>
    public long? InstanceId => _instanceId;

    /// <summary>What the plugin server wrote to its log (stderr in production): unhandled exceptions and warnings.</summary>
    public string ServerOutput
    {
        get
        {
            _server.Log.Flush(TimeSpan.FromSeconds(10));
            lock (_serverOutput) return _serverOutput.ToString();
        }
    }

    /// <summary>Sends <c>plugin.StartInstance</c> now (otherwise the first run does it).</summary>
    /// <exception cref="KongTestException">The server refused the configuration.</exception>
    public async Task<long> StartAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource timeout = Bounded(cancellationToken);
        return await EnsureStartedAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Serves <paramref name="request"/> as Kong would: the plugin's declared phases in Kong's order (certificate
    /// only over TLS, rewrite, access), the upstream unless a phase exited, response (only when declared, and not
    /// after an exit; the upstream response is buffered), then log (also after an exit). Each phase is one
    /// <c>plugin.HandleEvent</c>.
    /// </summary>
    /// <exception cref="KongTestException">The plugin called a function the fake does not implement, or one Kong
    /// forbids in that phase, or the exchange broke the protocol, or the run passed its timeout.</exception>
    public async Task<KongTestResult> RunAsync(KongTestRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using CancellationTokenSource timeout = Bounded(cancellationToken);
        CancellationToken token = timeout.Token;
        try
        {
            long instanceId = await EnsureStartedAsync(token).ConfigureAwait(false);
            var state = new FakeKongState(request, _options.PluginId);
            IReadOnlyList<KongPhase> declared = Descriptor.Phases;

            if (request.Tls is not null && declared.Contains(KongPhase.Certificate)) await RunPhaseAsync(instanceId, state, KongPhase.Certificate, token).ConfigureAwait(false);
            if (state.ExitedIn is null && declared.Contains(KongPhase.Rewrite)) await RunPhaseAsync(instanceId, state, KongPhase.Rewrite, token).ConfigureAwait(false);
            if (state.ExitedIn is null && declared.Contains(KongPhase.Access)) await RunPhaseAsync(instanceId, state, KongPhase.Access, token).ConfigureAwait(false);
            if (state.ExitedIn is null) await ProxyAsync(state, request.Upstream ?? Upstream, token).ConfigureAwait(false);
            if (state.ExitedIn is null && declared.Contains(KongPhase.Response)) await RunPhaseAsync(instanceId, state, KongPhase.Response, token).ConfigureAwait(false);
            if (declared.Contains(KongPhase.Log)) await RunPhaseAsync(instanceId, state, KongPhase.Log, token).ConfigureAwait(false);
            return new KongTestResult(state);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new KongTestException($"the run did not finish within {_options.Timeout.TotalSeconds:0.###} s (plugin server log:\n{ServerOutput})");
        }
    }

    private CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        CancellationTokenSource source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(_options.Timeout);
        return source;
    }

    private async Task<long> EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_instanceId is { } id) return id;
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_instanceId is { } started) return started;
            object? result = await CallAsync("plugin.StartInstance",
                [new Dictionary<string, object?> { ["Name"] = Descriptor.Name, ["Config"] = _configJson }], cancellationToken).ConfigureAwait(false);
            if (result is not Dictionary<string, object?> status || status.GetValueOrDefault("Id") is not long newId)
            {
                throw new KongTestException($"plugin.StartInstance answered without an integer Id: {MsgPackValue.ToJson(result)} (Kong fails with \"starting instance: nil\")");
            }

            _instanceId = newId;
            return newId;
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>Kong's event loop for one phase (kong-protocol.md §4.6).</summary>
    private async Task RunPhaseAsync(long instanceId, FakeKongState state, KongPhase phase, CancellationToken cancellationToken)
    {
        state.Phase = phase;
        state.PhasesRun.Add(phase);
        object? reply = await CallAsync("plugin.HandleEvent",
            [new Dictionary<string, object?> { ["InstanceId"] = instanceId, ["EventName"] = phase.ToWireName() }], cancellationToken).ConfigureAwait(false);
        long eventId = (reply as Dictionary<string, object?>)?.GetValueOrDefault("EventId") as long?
            ?? throw new KongTestException($"plugin.HandleEvent for {phase.ToWireName()} answered without an integer EventId: {MsgPackValue.ToJson(reply)}") { Phase = phase };
        while (true)
        {
            object? data = (reply as Dictionary<string, object?>)?.GetValueOrDefault("Data");
            if (data is "ret") return;
            if (data is not Dictionary<string, object?> call || call.GetValueOrDefault("Method") is not string method)
            {
                throw new KongTestException($"in the {phase.ToWireName()} phase the plugin server answered with Data that is neither \"ret\" nor a call: {MsgPackValue.ToJson(data)} (Kong raises a Lua error)") { Phase = phase };
            }

            IReadOnlyList<object?> args = call.GetValueOrDefault("Args") switch
            {
                null => [],
                List<object?> list => list,
                Dictionary<string, object?> holes => throw new KongTestException($"{method} in the {phase.ToWireName()} phase: Args is a map {MsgPackValue.ToJson(holes)}; Kong would see a Lua table with holes") { Method = method, Phase = phase },
                object single => [single],
            };
            var record = new KongPdkCall(phase, method, args);
            state.Calls.Add(record);

            if (!Pdk.TryGet(method, out FakePdkFunction function))
            {
                throw new KongTestException($"the plugin called {method} in the {phase.ToWireName()} phase, which the fake Kong does not implement (real Kong answers nil and logs \"could not find pdk method\"); add it with host.Pdk.Register(\"{method}\", ...)") { Method = method, Phase = phase };
            }

            if (!function.Phases.Allows(phase))
            {
                throw new KongTestException($"the plugin called {method} in the {phase.ToWireName()} phase, where Kong rejects it (allowed in: {function.Phases.Describe()}); Kong raises a Lua error and abandons the event") { Method = method, Phase = phase };
            }

            object? result = function.Handler(new FakePdkCall(method, args, state));
            record.Result = result;
            if (function.Terminal) return; // Kong sends nothing more for this event (kong-protocol.md §4.9).

            var step = new Dictionary<string, object?> { ["EventId"] = eventId };
            if (result is not null) step["Data"] = result;
            reply = await CallAsync(function.StepMethod, [step], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Proxies to the upstream and builds the client response from its answer.</summary>
    private static async Task ProxyAsync(FakeKongState state, KongUpstreamHandler upstream, CancellationToken cancellationToken)
    {
        KongTestRequest request = state.Request;
        KongUpstreamRequest up = state.ServiceRequest;
        bool preserveHost = request.Route.GetValueOrDefault("preserve_host") is true;
        if (!preserveHost && up.Headers.Get("host") == state.RequestHeaders.Get("host"))
        {
            bool defaultPort = up.Port == (up.Scheme is "https" or "grpcs" ? 443 : 80);
            up.Headers.Set("host", defaultPort ? up.Host : up.Host + ":" + up.Port);
        }

        string? forwardedFor = up.Headers.Get("x-forwarded-for");
        bool trusted = request.TrustedIps.Contains(request.ClientIp);
        up.Headers.Set("x-forwarded-for", trusted && forwardedFor is not null ? forwardedFor + ", " + request.ClientIp : request.ClientIp);
        up.Headers.Set("x-forwarded-proto", request.Scheme);
        up.Headers.Set("x-forwarded-host", request.Host);
        up.Headers.Set("x-forwarded-port", request.EffectivePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        up.Headers.Set("x-forwarded-path", request.Path);
        up.Headers.Set("x-real-ip", request.ClientIp);
        state.Proxied = true;

        KongUpstreamResponse response = await upstream(up, cancellationToken).ConfigureAwait(false)
            ?? throw new KongTestException("the upstream handler returned null");
        state.ServiceResponse = response;

        var headers = new KongTestHeaders(response.Headers);
        foreach (string name in state.ClearedBeforeProxy) headers.Remove(name);
        foreach (string name in state.ResponseHeaders.Names) headers.Set(name, [.. state.ResponseHeaders.GetAll(name)]);
        state.ResponseHeaders = headers;
        state.ResponseStatus = response.Status;
        state.ResponseBody = response.Body;
        state.ResponseSource = "service";
    }

    /// <summary>One RPC call on a pooled (or new) connection, as Kong makes it.</summary>
    private async Task<object?> CallAsync(string method, object?[] parameters, CancellationToken cancellationToken)
    {
        FakeKongConnection? connection = null;
        if (!_options.ConnectionPerCall)
        {
            lock (_sync) _idle.TryPop(out connection);
        }

        connection ??= await FakeKongConnection.ConnectAsync(SocketPath, cancellationToken).ConfigureAwait(false);
        bool healthy = false;
        try
        {
            object? result = await connection.CallAsync(Interlocked.Increment(ref _msgId), method, parameters, cancellationToken).ConfigureAwait(false);
            healthy = true;
            return result;
        }
        catch (KongTestException ex) when (ex.Message.StartsWith("the plugin server answered", StringComparison.Ordinal))
        {
            healthy = true; // an error answer leaves the connection usable
            throw;
        }
        finally
        {
            // Kong returns the connection to the pool before running the PDK function.
            if (healthy && !_options.ConnectionPerCall && !_disposed)
            {
                lock (_sync) _idle.Push(connection);
            }
            else
            {
                connection.Dispose();
            }
        }
    }

    /// <summary>Adds Kong's keys to the config object (kong-protocol.md §4.3), keeping the user's properties.</summary>
    private static string AddKongKeys(string configJson, string pluginName, PluginTestHostOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(configJson);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("the config is not valid JSON: " + ex.Message, nameof(configJson), ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ArgumentException("the config must be a JSON object", nameof(configJson));
            var buffer = new ArrayBufferWriter<byte>(configJson.Length + 256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (property.Name.StartsWith("__", StringComparison.Ordinal)) continue;
                    property.WriteTo(json);
                }

                const string workspace = "0dc6f45b-8f8d-40d2-a504-473544ee190b";
                json.WriteString("__plugin_id", options.PluginId);
                json.WriteString("__ws_id", workspace);
                json.WriteString("__key__", $"plugins:{pluginName}::::{workspace}");
                json.WriteNumber("__seq__", options.ConfigSequence);
                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }

    /// <summary>Stops the server, closes connections and removes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_sync)
        {
            while (_idle.TryPop(out FakeKongConnection? connection)) connection.Dispose();
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _serverTask.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The server keeps draining in the background; the socket is already unlinked.
        }

        try
        {
            if (File.Exists(SocketPath)) File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }

        _stop.Dispose();
        _startLock.Dispose();
    }
}
