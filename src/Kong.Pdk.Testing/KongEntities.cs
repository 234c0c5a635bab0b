namespace Kong.Pdk.Testing;

/// <summary>
/// Builders for the entity maps Kong returns from <c>get_consumer</c>, <c>get_credential</c>, <c>get_route</c> and
/// <c>get_service</c>: string keys, Kong's field names, null fields left out (as Kong does).
/// </summary>
public static class KongEntities
{
    /// <summary>A fixed point in time (2024-01-01T00:00:00Z) used for <c>created_at</c>/<c>updated_at</c>.</summary>
    public const long CreatedAt = 1704067200;

    /// <summary>A consumer: <c>{id, username, custom_id, created_at, updated_at, tags}</c>.</summary>
    public static Dictionary<string, object?> Consumer(string id = "2f4cbd1a-8d8b-4c5f-9a4b-3a6e2b1c0d11", string? username = "alice", string? customId = null, params string[] tags)
        => Compact(new()
        {
            ["id"] = id,
            ["username"] = username,
            ["custom_id"] = customId,
            ["created_at"] = CreatedAt,
            ["updated_at"] = CreatedAt,
            ["tags"] = tags.Length == 0 ? null : tags.ToList<object?>(),
        });

    /// <summary>A credential of <paramref name="consumerId"/>, e.g. a key-auth credential.</summary>
    public static Dictionary<string, object?> Credential(string id = "7b3c9e2d-1f4a-4b6c-8d5e-9f0a1b2c3d44", string consumerId = "2f4cbd1a-8d8b-4c5f-9a4b-3a6e2b1c0d11", string? key = "secret-key")
        => Compact(new()
        {
            ["id"] = id,
            ["consumer"] = new Dictionary<string, object?> { ["id"] = consumerId },
            ["key"] = key,
            ["created_at"] = CreatedAt,
        });

    /// <summary>The default service: <c>http://httpbin.internal:80</c>, Kong's default retries and timeouts.</summary>
    public static Dictionary<string, object?> Service(string id = "5a1e0c3b-7d2f-4e8a-9b6c-1d0e2f3a4b55", string name = "test-service", string protocol = "http", string host = "httpbin.internal", int port = 80, string? path = null)
        => Compact(new()
        {
            ["id"] = id,
            ["name"] = name,
            ["protocol"] = protocol,
            ["host"] = host,
            ["port"] = port,
            ["path"] = path,
            ["retries"] = 5,
            ["connect_timeout"] = 60000,
            ["write_timeout"] = 60000,
            ["read_timeout"] = 60000,
            ["enabled"] = true,
            ["created_at"] = CreatedAt,
            ["updated_at"] = CreatedAt,
        });

    /// <summary>The default route: paths <c>["/"]</c>, http and https, <c>strip_path</c>, bound to <paramref name="serviceId"/>.</summary>
    public static Dictionary<string, object?> Route(string id = "8a1e4f2c-3b5d-4c6e-8f7a-9b0c1d2e3f66", string name = "test-route", string serviceId = "5a1e0c3b-7d2f-4e8a-9b6c-1d0e2f3a4b55", bool preserveHost = false, params string[] paths)
        => Compact(new()
        {
            ["id"] = id,
            ["name"] = name,
            ["protocols"] = new List<object?> { "http", "https" },
            ["paths"] = (paths.Length == 0 ? ["/"] : paths).ToList<object?>(),
            ["methods"] = null,
            ["strip_path"] = true,
            ["preserve_host"] = preserveHost,
            ["https_redirect_status_code"] = 426,
            ["path_handling"] = "v0",
            ["regex_priority"] = 0,
            ["request_buffering"] = true,
            ["response_buffering"] = true,
            ["service"] = new Dictionary<string, object?> { ["id"] = serviceId },
            ["created_at"] = CreatedAt,
            ["updated_at"] = CreatedAt,
        });

    /// <summary>Realistic <c>kong.node.get_memory_stats()</c> data (bytes).</summary>
    public static Dictionary<string, object?> MemoryStats() => new()
    {
        ["lua_shared_dicts"] = new Dictionary<string, object?>
        {
            ["kong"] = new Dictionary<string, object?> { ["allocated_slabs"] = 12288L, ["capacity"] = 5242880L },
            ["kong_db_cache"] = new Dictionary<string, object?> { ["allocated_slabs"] = 12288L, ["capacity"] = 134217728L },
        },
        ["workers_lua_vms"] = new List<object?>
        {
            new Dictionary<string, object?> { ["http_allocated_gc"] = 1102L * 1024 * 1024 / 10, ["pid"] = 18004L },
        },
    };

    /// <summary>Removes null entries, as Kong leaves null fields out of entity maps.</summary>
    internal static Dictionary<string, object?> Compact(Dictionary<string, object?> map)
    {
        foreach (string key in map.Where(p => p.Value is null).Select(p => p.Key).ToList()) map.Remove(key);
        return map;
    }
}
