using System.Text;

namespace Kong.Pdk.Testing;

/// <summary>
/// A client request plus everything around it that Kong knows while serving it (client address, TLS, consumer,
/// route, service, nginx variables, vault, node). Build it fluently; every part has a realistic default.
/// </summary>
/// <example><code>
/// var request = KongTestRequest.Get("https://api.example.com/orders?page=2")
///     .WithHeader("accept", "application/json")
///     .WithHeader("x-tag", "a").WithHeader("x-tag", "b")
///     .WithConsumer(KongEntities.Consumer(username: "bob"));
/// </code></example>
public sealed class KongTestRequest
{
    /// <summary>Creates a request; see <see cref="Create"/>.</summary>
    public KongTestRequest() { }

    /// <summary>HTTP method. Default <c>GET</c>.</summary>
    public string Method { get; set; } = "GET";

    /// <summary><c>http</c> or <c>https</c>. Default <c>http</c>.</summary>
    public string Scheme { get; set; } = "http";

    /// <summary>Host the client addressed (without port). Default <c>example.com</c>.</summary>
    public string Host { get; set; } = "example.com";

    /// <summary>Port Kong accepted the request on. Default 8000 (http) or 8443 (https), Kong's proxy ports.</summary>
    public int? Port { get; set; }

    /// <summary>Path as sent, starting with <c>/</c>. Default <c>/</c>.</summary>
    public string Path { get; set; } = "/";

    /// <summary>Query string as sent, without <c>?</c>. Default empty.</summary>
    public string RawQuery { get; set; } = "";

    /// <summary>Request headers, repeated names allowed. A <c>host</c> header is added at run time unless present;
    /// so is <c>content-length</c> when there is a body.</summary>
    public KongTestHeaders Headers { get; } = new();

    /// <summary>Request body. Default empty.</summary>
    public byte[] Body { get; set; } = [];

    /// <summary>HTTP version (1.0, 1.1, 2). Default 1.1.</summary>
    public double HttpVersion { get; set; } = 1.1;

    /// <summary>Client address. Default <c>192.0.2.10</c> (a documentation address).</summary>
    public string ClientIp { get; set; } = "192.0.2.10";

    /// <summary>Client port. Default 53124.</summary>
    public int ClientPort { get; set; } = 53124;

    /// <summary>Addresses <c>kong.ip.is_trusted</c> accepts (Kong's <c>trusted_ips</c>, empty by default). When the
    /// client is trusted, <c>get_forwarded_*</c> read the <c>X-Forwarded-*</c> headers.</summary>
    public HashSet<string> TrustedIps { get; } = new(StringComparer.Ordinal);

    /// <summary>TLS details; null for plain HTTP. Set automatically for an <c>https</c> URL. The <c>certificate</c>
    /// phase runs only when this is set.</summary>
    public KongTestTls? Tls { get; set; }

    /// <summary>The authenticated consumer (<c>kong.client.get_consumer</c>), or null (anonymous, the default).</summary>
    public Dictionary<string, object?>? Consumer { get; set; }

    /// <summary>The authenticated credential, or null (the default).</summary>
    public Dictionary<string, object?>? Credential { get; set; }

    /// <summary>Consumers that <c>kong.client.load_consumer</c> finds (by id, or by username).</summary>
    public List<Dictionary<string, object?>> KnownConsumers { get; } = [];

    /// <summary>Consumer groups of the consumer (Kong Enterprise's <c>get_consumer_groups</c>). Default none.</summary>
    public List<Dictionary<string, object?>> ConsumerGroups { get; } = [];

    /// <summary>The matched route (<c>kong.router.get_route</c>). Default <see cref="KongEntities.Route"/>.</summary>
    public Dictionary<string, object?> Route { get; set; } = KongEntities.Route();

    /// <summary>The route's service (<c>kong.router.get_service</c>). Default <see cref="KongEntities.Service"/>.</summary>
    public Dictionary<string, object?> Service { get; set; } = KongEntities.Service();

    /// <summary>Unnamed regex captures of the route path (<c>get_uri_captures().unnamed</c>). Default none.</summary>
    public List<string> UnnamedCaptures { get; } = [];

    /// <summary>Named regex captures of the route path. Default none.</summary>
    public Dictionary<string, string> NamedCaptures { get; } = new(StringComparer.Ordinal);

    /// <summary>nginx variables for <c>kong.nginx.get_var</c>, overriding the ones derived from the request
    /// (<c>request_uri</c>, <c>uri</c>, <c>args</c>, <c>host</c>, <c>remote_addr</c>, <c>request_id</c>, <c>http_*</c> ...).
    /// A null value makes the variable unset.</summary>
    public Dictionary<string, string?> NginxVars { get; } = new(StringComparer.Ordinal);

    /// <summary>Initial <c>kong.ctx.shared</c> values, as other (Lua) plugins would have set them.</summary>
    public Dictionary<string, object?> Shared { get; } = new(StringComparer.Ordinal);

    /// <summary>Initial <c>ngx.ctx</c> values for <c>kong.nginx.get_ctx</c>.</summary>
    public Dictionary<string, object?> NginxCtx { get; } = new(StringComparer.Ordinal);

    /// <summary>Vault references and their secrets, e.g. <c>{vault://env/api-key}</c> → <c>s3cr3t</c>.</summary>
    public Dictionary<string, string> VaultReferences { get; } = new(StringComparer.Ordinal);

    /// <summary><c>kong.node.get_id()</c>.</summary>
    public string NodeId { get; set; } = "b9f0a3e4-6c2d-4e1f-8a7b-5c4d3e2f1a00";

    /// <summary><c>kong.node.get_hostname()</c>.</summary>
    public string NodeHostname { get; set; } = "kong-test-node";

    /// <summary><c>kong.cluster.get_id()</c>.</summary>
    public string ClusterId { get; set; } = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6";

    /// <summary><c>kong.node.get_memory_stats()</c>.</summary>
    public Dictionary<string, object?> MemoryStats { get; set; } = KongEntities.MemoryStats();

    /// <summary>When Kong received the request. Default now.</summary>
    public DateTimeOffset StartTime { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>nginx's <c>$request_id</c>: 32 hex digits, random by default.</summary>
    public string RequestId { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>The upstream for this request; null uses the host's (an echo by default).</summary>
    public KongUpstreamHandler? Upstream { get; set; }

    /// <summary>Creates a request for <paramref name="method"/> and <paramref name="url"/>: absolute
    /// (<c>https://host:port/path?query</c>) or a path (<c>/path?query</c>, host <c>example.com</c>). Path and query
    /// are kept exactly as written (no normalization).</summary>
    public static KongTestRequest Create(string method, string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(url);
        var request = new KongTestRequest { Method = method.ToUpperInvariant() };
        string rest = url;
        int fragment = rest.IndexOf('#');
        if (fragment >= 0) rest = rest[..fragment];
        int schemeEnd = rest.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0)
        {
            request.Scheme = rest[..schemeEnd].ToLowerInvariant();
            rest = rest[(schemeEnd + 3)..];
            int pathStart = rest.IndexOfAny(['/', '?']);
            string authority = pathStart < 0 ? rest : rest[..pathStart];
            rest = pathStart < 0 ? "/" : rest[pathStart..];
            int colon = authority.LastIndexOf(':');
            if (colon > 0 && !authority.EndsWith(']'))
            {
                request.Host = authority[..colon];
                request.Port = int.Parse(authority[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                request.Host = authority;
            }
        }

        int question = rest.IndexOf('?');
        request.Path = question < 0 ? rest : rest[..question];
        request.RawQuery = question < 0 ? "" : rest[(question + 1)..];
        if (request.Path.Length == 0) request.Path = "/";
        if (request.Scheme == "https") request.Tls = new KongTestTls { ServerName = request.Host };
        return request;
    }

    /// <summary>A <c>GET</c> request.</summary>
    public static KongTestRequest Get(string url) => Create("GET", url);

    /// <summary>A <c>POST</c> request with an optional text body.</summary>
    public static KongTestRequest Post(string url, string? body = null, string? contentType = null)
    {
        KongTestRequest request = Create("POST", url);
        if (body is not null) request.WithBody(body, contentType);
        return request;
    }

    /// <summary>The port in effect: <see cref="Port"/>, or Kong's proxy port for the scheme.</summary>
    public int EffectivePort => Port ?? (Scheme == "https" ? 8443 : 8000);

    /// <summary>Adds a header line (call again for repeated names).</summary>
    public KongTestRequest WithHeader(string name, string value)
    {
        Headers.Add(name, value);
        return this;
    }

    /// <summary>Sets the body bytes and, when given, the content type.</summary>
    public KongTestRequest WithBody(byte[] body, string? contentType = null)
    {
        Body = body ?? throw new ArgumentNullException(nameof(body));
        if (contentType is not null) Headers.Set("content-type", contentType);
        return this;
    }

    /// <summary>Sets a UTF-8 text body and, when given, the content type.</summary>
    public KongTestRequest WithBody(string body, string? contentType = null) => WithBody(Encoding.UTF8.GetBytes(body), contentType);

    /// <summary>Sets a JSON body and <c>content-type: application/json</c>.</summary>
    public KongTestRequest WithJsonBody(string json) => WithBody(json, "application/json");

    /// <summary>Sets the HTTP version (1.0, 1.1 or 2).</summary>
    public KongTestRequest WithHttpVersion(double version)
    {
        HttpVersion = version;
        return this;
    }

    /// <summary>Sets the client address.</summary>
    public KongTestRequest WithClient(string ip, int port = 53124)
    {
        ClientIp = ip;
        ClientPort = port;
        return this;
    }

    /// <summary>Adds an address to Kong's <c>trusted_ips</c>.</summary>
    public KongTestRequest WithTrustedIp(string ip)
    {
        TrustedIps.Add(ip);
        return this;
    }

    /// <summary>Makes the request arrive over TLS (the <c>certificate</c> phase then runs).</summary>
    public KongTestRequest WithTls(KongTestTls? tls = null)
    {
        Tls = tls ?? new KongTestTls { ServerName = Host };
        if (Scheme == "http") Scheme = "https";
        return this;
    }

    /// <summary>Sets the authenticated consumer (see <see cref="KongEntities.Consumer"/>) and optionally its credential.</summary>
    public KongTestRequest WithConsumer(Dictionary<string, object?>? consumer, Dictionary<string, object?>? credential = null)
    {
        Consumer = consumer;
        if (credential is not null) Credential = credential;
        return this;
    }

    /// <summary>Sets the authenticated credential.</summary>
    public KongTestRequest WithCredential(Dictionary<string, object?>? credential)
    {
        Credential = credential;
        return this;
    }

    /// <summary>Adds a consumer that <c>kong.client.load_consumer</c> can find.</summary>
    public KongTestRequest WithKnownConsumer(Dictionary<string, object?> consumer)
    {
        KnownConsumers.Add(consumer);
        return this;
    }

    /// <summary>Sets the matched route.</summary>
    public KongTestRequest WithRoute(Dictionary<string, object?> route)
    {
        Route = route;
        return this;
    }

    /// <summary>Sets the service.</summary>
    public KongTestRequest WithService(Dictionary<string, object?> service)
    {
        Service = service;
        return this;
    }

    /// <summary>Sets an nginx variable (null: unset).</summary>
    public KongTestRequest WithNginxVar(string name, string? value)
    {
        NginxVars[name] = value;
        return this;
    }

    /// <summary>Sets an initial <c>kong.ctx.shared</c> value.</summary>
    public KongTestRequest WithShared(string key, object? value)
    {
        Shared[key] = value;
        return this;
    }

    /// <summary>Sets an initial <c>ngx.ctx</c> value.</summary>
    public KongTestRequest WithNginxCtx(string key, object? value)
    {
        NginxCtx[key] = value;
        return this;
    }

    /// <summary>Defines a vault reference, e.g. <c>WithVaultReference("{vault://env/api-key}", "s3cr3t")</c>.</summary>
    public KongTestRequest WithVaultReference(string reference, string secret)
    {
        VaultReferences[reference] = secret;
        return this;
    }

    /// <summary>Sets <c>kong.node.get_id()</c>.</summary>
    public KongTestRequest WithNodeId(string nodeId)
    {
        NodeId = nodeId;
        return this;
    }

    /// <summary>Sets route path captures for <c>kong.request.get_uri_captures</c>.</summary>
    public KongTestRequest WithUriCaptures(IEnumerable<string>? unnamed = null, IReadOnlyDictionary<string, string>? named = null)
    {
        UnnamedCaptures.Clear();
        if (unnamed is not null) UnnamedCaptures.AddRange(unnamed);
        NamedCaptures.Clear();
        if (named is not null)
        {
            foreach (KeyValuePair<string, string> pair in named) NamedCaptures[pair.Key] = pair.Value;
        }

        return this;
    }

    /// <summary>Uses <paramref name="upstream"/> instead of the host's upstream for this request.</summary>
    public KongTestRequest WithUpstream(KongUpstreamHandler upstream)
    {
        Upstream = upstream;
        return this;
    }

    /// <summary>Uses a synchronous upstream for this request.</summary>
    public KongTestRequest WithUpstream(Func<KongUpstreamRequest, KongUpstreamResponse> upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        Upstream = (request, _) => ValueTask.FromResult(upstream(request));
        return this;
    }
}

/// <summary>TLS details of a request.</summary>
public sealed class KongTestTls
{
    /// <summary>SNI the client sent.</summary>
    public string? ServerName { get; set; }

    /// <summary><c>kong.nginx.get_tls1_version_str()</c>. Default <c>TLSv1.3</c>.</summary>
    public string Protocol { get; set; } = "TLSv1.3";

    /// <summary>The client's certificate chain as PEM (mutual TLS), or null when the client sent none.</summary>
    public string? ClientCertificateChainPem { get; set; }
}
