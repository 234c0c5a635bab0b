using System.Text.Json;

namespace Kong.Pdk;

// Entity records as Kong's PDK returns them (kong-protocol.md §6.3): maps whose null fields are absent, bound
// leniently. Absent or mistyped fields are null, unknown keys are ignored, and Raw keeps the whole value. The
// service record is KongServiceEntity because KongService is the kong.service module.

/// <summary>A consumer, from <c>kong.client.get_consumer</c> or <c>load_consumer</c>.</summary>
public sealed record KongConsumer
{
    /// <summary>The consumer's UUID.</summary>
    public string? Id { get; init; }

    /// <summary>The username.</summary>
    public string? Username { get; init; }

    /// <summary>The custom id.</summary>
    public string? CustomId { get; init; }

    /// <summary>Creation time, Unix seconds.</summary>
    public long? CreatedAt { get; init; }

    /// <summary>Last update time, Unix seconds.</summary>
    public long? UpdatedAt { get; init; }

    /// <summary>The tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The whole value as Kong sent it.</summary>
    public KongValue Raw { get; init; } = KongValue.Nil;

    internal static KongConsumer? From(KongValue v) => v.Kind != KongValueKind.Map ? null : new KongConsumer
    {
        Id = Bind.Str(v, "id"),
        Username = Bind.Str(v, "username"),
        CustomId = Bind.Str(v, "custom_id"),
        CreatedAt = Bind.Int(v, "created_at"),
        UpdatedAt = Bind.Int(v, "updated_at"),
        Tags = Bind.Strings(v, "tags"),
        Raw = v,
    };
}

/// <summary>The authenticated credential, from <c>kong.client.get_credential</c>. Its other fields depend on the
/// authentication plugin (<c>key</c>, <c>username</c>, …): read them from <see cref="Raw"/>.</summary>
public sealed record KongCredential
{
    /// <summary>The credential's UUID.</summary>
    public string? Id { get; init; }

    /// <summary>The consumer it belongs to (<c>consumer_id</c>, or <c>consumer.id</c>).</summary>
    public string? ConsumerId { get; init; }

    /// <summary>Creation time, Unix seconds.</summary>
    public long? CreatedAt { get; init; }

    /// <summary>The tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The whole value as Kong sent it.</summary>
    public KongValue Raw { get; init; } = KongValue.Nil;

    internal static KongCredential? From(KongValue v) => v.Kind != KongValueKind.Map ? null : new KongCredential
    {
        Id = Bind.Str(v, "id"),
        ConsumerId = Bind.Str(v, "consumer_id") ?? Bind.Str(v["consumer"], "id"),
        CreatedAt = Bind.Int(v, "created_at"),
        Tags = Bind.Strings(v, "tags"),
        Raw = v,
    };
}

/// <summary>The matched route, from <c>kong.router.get_route</c>.</summary>
public sealed record KongRoute
{
    /// <summary>The route's UUID.</summary>
    public string? Id { get; init; }

    /// <summary>The name.</summary>
    public string? Name { get; init; }

    /// <summary>Creation time, Unix seconds.</summary>
    public long? CreatedAt { get; init; }

    /// <summary>Last update time, Unix seconds.</summary>
    public long? UpdatedAt { get; init; }

    /// <summary>Protocols (<c>http</c>, <c>https</c>, …).</summary>
    public IReadOnlyList<string> Protocols { get; init; } = [];

    /// <summary>HTTP methods.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    /// <summary>Hosts.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Paths.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>SNIs.</summary>
    public IReadOnlyList<string> Snis { get; init; } = [];

    /// <summary>Header match rules: name → values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary><c>https_redirect_status_code</c>.</summary>
    public int? HttpsRedirectStatusCode { get; init; }

    /// <summary><c>regex_priority</c>.</summary>
    public int? RegexPriority { get; init; }

    /// <summary><c>strip_path</c>.</summary>
    public bool? StripPath { get; init; }

    /// <summary><c>preserve_host</c>.</summary>
    public bool? PreserveHost { get; init; }

    /// <summary><c>path_handling</c> (<c>v0</c>, <c>v1</c>).</summary>
    public string? PathHandling { get; init; }

    /// <summary><c>request_buffering</c>.</summary>
    public bool? RequestBuffering { get; init; }

    /// <summary><c>response_buffering</c>.</summary>
    public bool? ResponseBuffering { get; init; }

    /// <summary>The id of the route's service (<c>service.id</c>).</summary>
    public string? ServiceId { get; init; }

    /// <summary>The tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The whole value as Kong sent it.</summary>
    public KongValue Raw { get; init; } = KongValue.Nil;

    internal static KongRoute? From(KongValue v) => v.Kind != KongValueKind.Map ? null : new KongRoute
    {
        Id = Bind.Str(v, "id"),
        Name = Bind.Str(v, "name"),
        CreatedAt = Bind.Int(v, "created_at"),
        UpdatedAt = Bind.Int(v, "updated_at"),
        Protocols = Bind.Strings(v, "protocols"),
        Methods = Bind.Strings(v, "methods"),
        Hosts = Bind.Strings(v, "hosts"),
        Paths = Bind.Strings(v, "paths"),
        Snis = Bind.Strings(v, "snis"),
        Headers = Bind.StringLists(v["headers"]),
        HttpsRedirectStatusCode = (int?)Bind.Int(v, "https_redirect_status_code"),
        RegexPriority = (int?)Bind.Int(v, "regex_priority"),
        StripPath = Bind.Bool(v, "strip_path"),
        PreserveHost = Bind.Bool(v, "preserve_host"),
        PathHandling = Bind.Str(v, "path_handling"),
        RequestBuffering = Bind.Bool(v, "request_buffering"),
        ResponseBuffering = Bind.Bool(v, "response_buffering"),
        ServiceId = Bind.Str(v["service"], "id"),
        Tags = Bind.Strings(v, "tags"),
        Raw = v,
    };
}

/// <summary>The route's service, from <c>kong.router.get_service</c>. (Named <c>…Entity</c> because
/// <c>KongService</c> is the <c>kong.service</c> module.)</summary>
public sealed record KongServiceEntity
{
    /// <summary>The service's UUID.</summary>
    public string? Id { get; init; }

    /// <summary>The name.</summary>
    public string? Name { get; init; }

    /// <summary>Creation time, Unix seconds.</summary>
    public long? CreatedAt { get; init; }

    /// <summary>Last update time, Unix seconds.</summary>
    public long? UpdatedAt { get; init; }

    /// <summary>Protocol (<c>http</c>, <c>https</c>, <c>grpc</c>, …).</summary>
    public string? Protocol { get; init; }

    /// <summary>Upstream host.</summary>
    public string? Host { get; init; }

    /// <summary>Upstream port.</summary>
    public int? Port { get; init; }

    /// <summary>Upstream path.</summary>
    public string? Path { get; init; }

    /// <summary>Retries.</summary>
    public int? Retries { get; init; }

    /// <summary>Connect timeout, ms.</summary>
    public int? ConnectTimeout { get; init; }

    /// <summary>Write timeout, ms.</summary>
    public int? WriteTimeout { get; init; }

    /// <summary>Read timeout, ms.</summary>
    public int? ReadTimeout { get; init; }

    /// <summary><c>enabled</c>.</summary>
    public bool? Enabled { get; init; }

    /// <summary><c>tls_verify</c>.</summary>
    public bool? TlsVerify { get; init; }

    /// <summary><c>tls_verify_depth</c>.</summary>
    public int? TlsVerifyDepth { get; init; }

    /// <summary>The id of the client certificate (<c>client_certificate.id</c>).</summary>
    public string? ClientCertificateId { get; init; }

    /// <summary>CA certificate ids.</summary>
    public IReadOnlyList<string> CaCertificates { get; init; } = [];

    /// <summary>The tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The whole value as Kong sent it.</summary>
    public KongValue Raw { get; init; } = KongValue.Nil;

    internal static KongServiceEntity? From(KongValue v) => v.Kind != KongValueKind.Map ? null : new KongServiceEntity
    {
        Id = Bind.Str(v, "id"),
        Name = Bind.Str(v, "name"),
        CreatedAt = Bind.Int(v, "created_at"),
        UpdatedAt = Bind.Int(v, "updated_at"),
        Protocol = Bind.Str(v, "protocol"),
        Host = Bind.Str(v, "host"),
        Port = (int?)Bind.Int(v, "port"),
        Path = Bind.Str(v, "path"),
        Retries = (int?)Bind.Int(v, "retries"),
        ConnectTimeout = (int?)Bind.Int(v, "connect_timeout"),
        WriteTimeout = (int?)Bind.Int(v, "write_timeout"),
        ReadTimeout = (int?)Bind.Int(v, "read_timeout"),
        Enabled = Bind.Bool(v, "enabled"),
        TlsVerify = Bind.Bool(v, "tls_verify"),
        TlsVerifyDepth = (int?)Bind.Int(v, "tls_verify_depth"),
        ClientCertificateId = Bind.Str(v["client_certificate"], "id"),
        CaCertificates = Bind.Strings(v, "ca_certificates"),
        Tags = Bind.Strings(v, "tags"),
        Raw = v,
    };
}

/// <summary>One shared dictionary in <see cref="KongMemoryStats"/>. The sizes are integers (bytes), or strings
/// such as <c>"1.50 MiB"</c> when a unit was requested.</summary>
public sealed record KongSharedDictStats(KongValue AllocatedSlabs, KongValue Capacity);

/// <summary>One worker's Lua VM in <see cref="KongMemoryStats"/>.</summary>
public sealed record KongWorkerVmStats(long? Pid, KongValue HttpAllocatedGc);

/// <summary>Memory statistics, from <c>kong.node.get_memory_stats</c>.</summary>
public sealed record KongMemoryStats
{
    /// <summary>Shared dictionaries by name.</summary>
    public IReadOnlyDictionary<string, KongSharedDictStats> LuaSharedDicts { get; init; } = new Dictionary<string, KongSharedDictStats>();

    /// <summary>Worker Lua VMs.</summary>
    public IReadOnlyList<KongWorkerVmStats> WorkersLuaVms { get; init; } = [];

    /// <summary>The whole value as Kong sent it.</summary>
    public KongValue Raw { get; init; } = KongValue.Nil;

    internal static KongMemoryStats From(KongValue v)
    {
        var dicts = new Dictionary<string, KongSharedDictStats>(StringComparer.Ordinal);
        KongValue d = v["lua_shared_dicts"];
        if (d.Kind is KongValueKind.Map or KongValueKind.List)
        {
            foreach (KeyValuePair<KongValue, KongValue> entry in d.AsMap())
            {
                if (entry.Key.Kind != KongValueKind.String) continue;
                dicts[entry.Key.AsString()] = new KongSharedDictStats(entry.Value["allocated_slabs"], entry.Value["capacity"]);
            }
        }

        var workers = new List<KongWorkerVmStats>();
        KongValue w = v["workers_lua_vms"];
        if (w.Kind is KongValueKind.Map or KongValueKind.List)
        {
            foreach (KeyValuePair<KongValue, KongValue> entry in w.AsMap())
            {
                workers.Add(new KongWorkerVmStats(Bind.Int(entry.Value, "pid"), entry.Value["http_allocated_gc"]));
            }
        }

        return new KongMemoryStats { LuaSharedDicts = dicts, WorkersLuaVms = workers, Raw = v };
    }
}

/// <summary>The regex captures of the matched route path, from <c>kong.request.get_uri_captures</c>.</summary>
public sealed record KongUriCaptures
{
    /// <summary>Positional captures in Lua order (index 0 here is Lua index 1; a Lua index 0, the whole match,
    /// is available as <see cref="WholeMatch"/> when Kong sends it).</summary>
    public IReadOnlyList<string> Unnamed { get; init; } = [];

    /// <summary>The whole match, when Kong sent it under index 0.</summary>
    public string? WholeMatch { get; init; }

    /// <summary>Named captures.</summary>
    public IReadOnlyDictionary<string, string> Named { get; init; } = new Dictionary<string, string>();

    internal static readonly KongUriCaptures Empty = new();

    internal static KongUriCaptures From(KongValue v)
    {
        if (v.Kind is not (KongValueKind.Map or KongValueKind.List)) return Empty;
        var unnamed = new SortedDictionary<long, string>();
        KongValue u = v["unnamed"];
        if (u.Kind is KongValueKind.Map or KongValueKind.List)
        {
            foreach (KeyValuePair<KongValue, KongValue> entry in u.AsMap())
            {
                if (entry.Key.Kind == KongValueKind.Integer && entry.Value.Kind is KongValueKind.String or KongValueKind.Bytes)
                {
                    unnamed[entry.Key.AsInt64()] = entry.Value.AsString();
                }
            }
        }

        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        KongValue n = v["named"];
        if (n.Kind is KongValueKind.Map or KongValueKind.List)
        {
            foreach (KeyValuePair<KongValue, KongValue> entry in n.AsMap())
            {
                if (entry.Key.Kind == KongValueKind.String && entry.Value.Kind is KongValueKind.String or KongValueKind.Bytes)
                {
                    named[entry.Key.AsString()] = entry.Value.AsString();
                }
            }
        }

        string? whole = unnamed.Remove(0, out string? w) ? w : null;
        var list = new List<string>(unnamed.Count);
        foreach (KeyValuePair<long, string> entry in unnamed)
        {
            if (entry.Key > 0) list.Add(entry.Value);
        }

        return new KongUriCaptures { Unnamed = list, Named = named, WholeMatch = whole };
    }
}

/// <summary>The result of <c>kong.log.serialize</c>: the JSON text Kong sends, and a parsed view.</summary>
public sealed class KongSerializedLog
{
    private JsonElement? _root;

    /// <summary>Wraps <paramref name="json"/>.</summary>
    public KongSerializedLog(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Json = json;
    }

    /// <summary>The serializer output as JSON text, exactly as Kong sent it.</summary>
    public string Json { get; }

    /// <summary>The parsed JSON (parsed on first use; independent of any pooled document).</summary>
    /// <exception cref="JsonException">The text is not valid JSON.</exception>
    public JsonElement Root
    {
        get
        {
            if (_root is { } r) return r;
            using JsonDocument document = JsonDocument.Parse(Json);
            JsonElement root = document.RootElement.Clone();
            _root = root;
            return root;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Json;
}

/// <summary>Lenient field access for the entity records.</summary>
internal static class Bind
{
    public static string? Str(KongValue map, string key)
    {
        KongValue v = map[key];
        return v.Kind is KongValueKind.String or KongValueKind.Bytes ? v.AsString() : null;
    }

    public static long? Int(KongValue map, string key)
    {
        KongValue v = map[key];
        if (v.Kind == KongValueKind.Integer) return v.AsInt64();
        if (v.Kind == KongValueKind.Number) return (long)v.AsDouble();
        return null;
    }

    public static bool? Bool(KongValue map, string key)
    {
        KongValue v = map[key];
        return v.Kind == KongValueKind.Boolean ? v.AsBoolean() : null;
    }

    public static IReadOnlyList<string> Strings(KongValue map, string key) => Strings(map[key]);

    public static IReadOnlyList<string> Strings(KongValue v)
    {
        if (v.Kind is not (KongValueKind.List or KongValueKind.Map) || v.Count == 0) return [];
        var list = new List<string>(v.Count);
        foreach (KeyValuePair<KongValue, KongValue> entry in v.AsMap())
        {
            if (entry.Value.Kind is KongValueKind.String or KongValueKind.Bytes) list.Add(entry.Value.AsString());
        }

        return list;
    }

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> StringLists(KongValue v)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (v.Kind is not (KongValueKind.List or KongValueKind.Map)) return result;
        foreach (KeyValuePair<KongValue, KongValue> entry in v.AsMap())
        {
            if (entry.Key.Kind != KongValueKind.String) continue;
            result[entry.Key.AsString()] = entry.Value.Kind is KongValueKind.String ? [entry.Value.AsString()] : Strings(entry.Value);
        }

        return result;
    }
}
