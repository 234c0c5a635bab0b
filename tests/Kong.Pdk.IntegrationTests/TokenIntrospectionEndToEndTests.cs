using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.IntegrationTests;

/// <summary>
/// samples/TokenIntrospection as Kong starts it (its own Main on the generic host, OpenTelemetry from the standard
/// OTEL_* variables), over a real Unix socket with a new connection per call, against a local HTTP server that is
/// both the introspection endpoint and the OTLP/HTTP collector.
/// </summary>
[Collection("processes")]
public sealed class TokenIntrospectionEndToEndTests
{
    private const string Token = "e2e-token-5b1f0c";
    private const string Secret = "e2e-secret-91d3aa";
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static string Dll => PluginProcess.SampleDll("TokenIntrospection", "TokenIntrospection");

    [Fact]
    public async Task Serve_IntrospectsOverHttp_CachesTheAnswer_AndExportsTracesAndMetricsOverOtlp()
    {
        await using var http = await LocalHttpServer.StartAsync();
        using var dir = new TempDir();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = http.BaseAddress,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            ["OTEL_SERVICE_NAME"] = "token-introspection-e2e",
        };
        await using PluginProcess server = PluginProcess.StartDll(Dll, [], environment, "-kong-prefix", dir.Path);
        string socket = Path.Combine(dir.Path, "token-introspection.socket");
        await server.WaitServingAsync(socket);

        await using (KongConnection kong = await KongConnection.ConnectAsync(socket))
        {
            RpcAnswer started = await kong.CallAsync(1, "plugin.StartInstance", Mp.Map("Name", "token-introspection", "Config",
                $$"""{"introspection_url":"{{http.BaseAddress}}/introspect","client_id":"kong","client_secret":"{{Secret}}","__plugin_id":"6f0c9a1b-0000-4f50-8a6b-000000000009","__seq__":1}"""));
            Assert.Null(started.Error);
        }

        Assert.Equal(["x-consumer-subject", "alice"], await AccessAsync(socket));
        Assert.Equal(["x-consumer-subject", "alice"], await AccessAsync(socket));

        // One introspection for two requests (the cache), in the client's trace (the event span continued its
        // traceparent, and HttpClient propagated the current span), with the client credentials and the token.
        LocalHttpServer.Received introspection = Assert.Single(http.Requests("/introspect"));
        Assert.StartsWith($"00-{TraceId}-", introspection.Headers["traceparent"]);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("kong:" + Secret)), introspection.Headers["Authorization"]);
        Assert.Equal($"token={Token}&token_type_hint=access_token", Encoding.UTF8.GetString(introspection.Body));

        // OTLP/HTTP protobuf: names are plain UTF-8 in the payload, the trace id its 16 raw bytes.
        await http.WaitForAsync("/v1/traces", "token-introspection access"u8.ToArray(), Convert.FromHexString(TraceId));
        await http.WaitForAsync("/v1/traces", "System.Net.Http"u8.ToArray(), Convert.FromHexString(TraceId));
        await http.WaitForAsync("/v1/metrics", "token_introspection.decisions"u8.ToArray());
        await http.WaitForAsync("/v1/metrics", "kong.pdk.events"u8.ToArray());

        Assert.Equal("", server.Stdout); // console logging goes to stderr
        foreach (LocalHttpServer.Received export in http.Requests("/v1/"))
        {
            Assert.False(Contains(export.Body, Encoding.UTF8.GetBytes(Token)), "the token reached an OTLP export");
            Assert.False(Contains(export.Body, Encoding.UTF8.GetBytes(Secret)), "the secret reached an OTLP export");
        }

        Assert.DoesNotContain(Token, server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, server.Stderr, StringComparison.Ordinal);
    }

    /// <summary>One access event, played as Kong plays it (a connection per call); returns the arguments of the
    /// <c>kong.service.request.set_header</c> call.</summary>
    private static async Task<object?[]> AccessAsync(string socket)
    {
        object?[] setHeader = [];
        long msgId = 10;
        RpcAnswer answer;
        await using (KongConnection kong = await KongConnection.ConnectAsync(socket))
        {
            answer = await kong.CallAsync(msgId++, "plugin.HandleEvent", Mp.Map("InstanceId", 1L, "EventName", "access"));
        }

        while (answer.CallMethod is string method)
        {
            object? data = null;
            switch (method, answer.CallArgs.FirstOrDefault())
            {
                case ("kong.request.get_header", "traceparent"):
                    data = $"00-{TraceId}-00f067aa0ba902b7-01";
                    break;
                case ("kong.request.get_header", "authorization"):
                    data = "Bearer " + Token;
                    break;
                case ("kong.service.request.set_header", _):
                    setHeader = answer.CallArgs;
                    break;
                default:
                    Assert.Fail($"unexpected PDK call {method}");
                    break;
            }

            await using KongConnection next = await KongConnection.ConnectAsync(socket);
            answer = await next.CallAsync(msgId++, "plugin.Step", data is null ? Mp.Map("EventId", answer.EventId) : Mp.Map("EventId", answer.EventId, "Data", data));
        }

        Assert.Equal("ret", answer.Data);
        return setHeader;
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>The introspection endpoint (<c>/introspect</c>: an active token for alice) and an OTLP/HTTP collector
    /// (<c>/v1/*</c>: stores each export, answers an empty protobuf message) on a loopback port.</summary>
    private sealed class LocalHttpServer : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<Received> _received = new();
        private readonly Task _loop;

        private LocalHttpServer(int port)
        {
            BaseAddress = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(BaseAddress + "/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string BaseAddress { get; }

        public static Task<LocalHttpServer> StartAsync()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return Task.FromResult(new LocalHttpServer(port));
        }

        public IReadOnlyList<Received> Requests(string pathPrefix) => _received.Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

        /// <summary>Waits (bounded) for an export to <paramref name="path"/> that holds every one of <paramref name="parts"/>.</summary>
        public async Task WaitForAsync(string path, params byte[][] parts)
        {
            for (int i = 0; i < 300; i++)
            {
                if (Requests(path).Any(r => parts.All(p => Contains(r.Body, p)))) return;
                await Task.Delay(50);
            }

            Assert.Fail($"no export to {path} held {string.Join(", ", parts.Select(p => Encoding.UTF8.GetString(p)))}; received: {string.Join(", ", _received.Select(r => r.Path))}");
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try { await _loop; } catch (HttpListenerException) { } catch (ObjectDisposedException) { }
            _listener.Close();
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                string path = context.Request.Url!.AbsolutePath;
                var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                _received.Enqueue(new Received(path, headers, body.ToArray()));

                byte[] answer = path == "/introspect"
                    ? Encoding.UTF8.GetBytes($$"""{"active":true,"sub":"alice","scope":"read","exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}""")
                    : [];
                context.Response.ContentType = path == "/introspect" ? "application/json" : "application/x-protobuf";
                context.Response.ContentLength64 = answer.Length;
                await context.Response.OutputStream.WriteAsync(answer);
                context.Response.Close();
            }
        }

        public sealed record Received(string Path, Dictionary<string, string> Headers, byte[] Body);
    }
}
