using System.Globalization;
using System.Text;

namespace Kong.Pdk.Testing;

// Every function of kong-protocol.md §6.4, one table entry each: name, phases (the catalogue's; l* counts as log),
// handler. Keep the sections in the catalogue's order.
public sealed partial class FakePdk
{
    private const PdkPhaseSet C = PdkPhaseSet.Certificate, RW = PdkPhaseSet.Rewrite, A = PdkPhaseSet.Access,
        RSP = PdkPhaseSet.Response, P = PdkPhaseSet.Preread, L = PdkPhaseSet.Log, All = PdkPhaseSet.All;

    private const string StepMultiMap = "plugin.StepMultiMap";

    private void AddClient()
    {
        Add("kong.client.get_ip", C | RW | A | RSP, c => c.State.Request.ClientIp);
        Add("kong.client.get_forwarded_ip", C | RW | A | RSP, c => Forwarded(c, "x-forwarded-for", v => v.Split(',')[0].Trim()) ?? c.State.Request.ClientIp);
        Add("kong.client.get_port", C | RW | A | RSP, c => (long)c.State.Request.ClientPort);
        Add("kong.client.get_forwarded_port", C | RW | A | RSP, c =>
            Forwarded(c, "x-forwarded-port", v => v) is { } p && long.TryParse(p, out long port) ? port : (long)c.State.Request.ClientPort);
        Add("kong.client.get_credential", A | RSP | L, c => c.State.Credential, "plugin.StepCredential");
        Add("kong.client.get_consumer", A | RSP | L, c => c.State.Consumer, "plugin.StepConsumer");
        Add("kong.client.load_consumer", A | RSP, c =>
        {
            string id = c.RequiredString(0);
            bool byUsername = c.Arg(1) is true;
            return c.State.Request.KnownConsumers.FirstOrDefault(k =>
                k.GetValueOrDefault("id") as string == id || (byUsername && k.GetValueOrDefault("username") as string == id));
        }, "plugin.StepConsumer");
        Add("kong.client.authenticate", A, c =>
        {
            Dictionary<string, object?>? consumer = c.Map(0), credential = c.Map(1);
            if (consumer is null && credential is null) c.Fail("either credential or consumer must be provided");
            c.State.Consumer = consumer;
            c.State.Credential = credential;
            return null;
        }, "plugin.StepCredential");
        Add("kong.client.get_protocol", A | RSP, c => c.State.Request.Scheme);

        // Kong Enterprise only (absent from open-source Kong, which answers nil and logs).
        Add("kong.client.get_consumer_groups", A | RSP, c => c.State.AuthenticatedGroups ?? c.State.Request.ConsumerGroups.Cast<object?>().ToList());
        Add("kong.client.get_consumer_group", A | RSP, c => (c.State.AuthenticatedGroups ?? c.State.Request.ConsumerGroups.Cast<object?>().ToList()).FirstOrDefault());
        Add("kong.client.set_authenticated_consumer_groups", A | RSP, c =>
        {
            c.State.AuthenticatedGroups = c.Arg(0) switch { List<object?> l => l, Dictionary<string, object?> m => [m], _ => [] };
            return null;
        });
        Add("kong.client.authenticate_consumer_group_by_consumer_id", A | RSP, c => null);

        Add("kong.client.tls.request_client_certificate", C, c => true);
        Add("kong.client.tls.disable_session_reuse", C, c => true);
        Add("kong.client.tls.get_full_client_certificate_chain", RW | A, c => c.State.Request.Tls?.ClientCertificateChainPem);
        Add("kong.client.tls.set_client_verify", RW | A, c => null);
    }

    private void AddCtxNodeIpPluginCluster()
    {
        Add("kong.ctx.shared.get", All, c => c.State.Shared.GetValueOrDefault(c.RequiredString(0)));
        Add("kong.ctx.shared.set", All, c =>
        {
            string key = c.RequiredString(0);
            if (c.Arg(1) is null) c.State.Shared.Remove(key);
            else c.State.Shared[key] = c.Arg(1);
            return null;
        });
        Add("kong.ip.is_trusted", All, c => c.State.Request.TrustedIps.Contains(c.RequiredString(0)));
        Add("kong.node.get_id", All, c => c.State.Request.NodeId);
        Add("kong.node.get_memory_stats", All, c => c.State.Request.MemoryStats, "plugin.StepMemoryStats");
        Add("kong.node.get_hostname", All, c => c.State.Request.NodeHostname);
        Add("kong.plugin.get_id", RW | A | RSP | L, c => c.State.PluginId);
        Add("kong.cluster.get_id", All, c => c.State.Request.ClusterId);
    }

    private void AddLog()
    {
        foreach (string level in new[] { "alert", "crit", "err", "warn", "notice", "info", "debug", "deprecation" })
        {
            Add("kong.log." + level, All, c =>
            {
                c.State.Logs.Add(new KongLogEntry(c.Phase, level, string.Concat(c.Args.Select(MsgPackValue.ToText))));
                return null;
            });
        }

        Add("kong.log.serialize", All, c => Serialize(c.State));
        Add("kong.log.set_serialize_value", C | RW | A | RSP, c =>
        {
            c.State.SerializeValues[c.RequiredString(0)] = c.Arg(1);
            return null;
        });
    }

    private void AddNginx()
    {
        Add("kong.nginx.get_var", RW | A | RSP | P, c => NginxVar(c.State, c.RequiredString(0)));
        Add("kong.nginx.get_tls1_version_str", C | RW | A | RSP, c => c.State.Request.Tls?.Protocol);
        Add("kong.nginx.get_ctx", All, c => c.State.NginxCtx.GetValueOrDefault(c.RequiredString(0)));
        Add("kong.nginx.set_ctx", All, c =>
        {
            c.State.NginxCtx[c.RequiredString(0)] = c.Arg(1);
            return null;
        });
        Add("kong.nginx.req_start_time", All, c => c.State.Request.StartTime.ToUnixTimeMilliseconds() / 1000.0);
        Add("kong.nginx.get_subsystem", All, c => "http");
        Add("kong.nginx.get_statistics", All, c => new Dictionary<string, object?>
        {
            ["connections_active"] = 1L, ["connections_reading"] = 0L, ["connections_writing"] = 1L,
            ["connections_waiting"] = 0L, ["connections_accepted"] = 1L, ["connections_handled"] = 1L, ["total_requests"] = 1L,
        });
    }

    private void AddRequest()
    {
        Add("kong.request.get_scheme", RW | A | RSP, c => c.State.Request.Scheme);
        Add("kong.request.get_host", RW | A | RSP, c => c.State.Request.Host.ToLowerInvariant());
        Add("kong.request.get_port", C | RW | A | RSP, c => (long)c.State.Request.EffectivePort);
        Add("kong.request.get_forwarded_scheme", RW | A | RSP, c => Forwarded(c, "x-forwarded-proto", v => v.ToLowerInvariant()) ?? c.State.Request.Scheme);
        Add("kong.request.get_forwarded_host", RW | A | RSP, c => Forwarded(c, "x-forwarded-host", v => v.Split(':')[0]) ?? c.State.Request.Host.ToLowerInvariant());
        Add("kong.request.get_forwarded_port", RW | A | RSP, c =>
            Forwarded(c, "x-forwarded-port", v => v) is { } p && long.TryParse(p, out long port) ? port : (long)c.State.Request.EffectivePort);
        Add("kong.request.get_forwarded_path", RW | A | RSP, c => Forwarded(c, "x-forwarded-path", v => v) ?? c.State.Request.Path);
        Add("kong.request.get_forwarded_prefix", RW | A | RSP, c => Forwarded(c, "x-forwarded-prefix", v => v));
        Add("kong.request.get_method", RW | A | RSP, c => c.State.Request.Method);
        Add("kong.request.get_path", RW | A | RSP, c => NormalizePath(c.State.Request.Path));
        Add("kong.request.get_raw_path", RW | A | RSP, c => c.State.Request.Path);
        Add("kong.request.get_path_with_query", RW | A | RSP, c =>
            c.State.Request.RawQuery.Length == 0 ? c.State.Request.Path : c.State.Request.Path + "?" + c.State.Request.RawQuery);
        Add("kong.request.get_raw_query", RW | A | RSP, c => c.State.Request.RawQuery);
        Add("kong.request.get_http_version", RW | A | RSP, c => c.State.Request.HttpVersion);
        Add("kong.request.get_start_time", RW | A | RSP, c => c.State.Request.StartTime.ToUnixTimeMilliseconds());
        Add("kong.request.get_query_arg", RW | A | RSP, c =>
        {
            string name = c.RequiredString(0);
            foreach (KeyValuePair<string, string?> pair in QueryString.Parse(c.State.Request.RawQuery))
            {
                if (pair.Key == name) return pair.Value is null ? true : pair.Value;
            }

            return null;
        });
        Add("kong.request.get_query", RW | A | RSP, c => QueryMultiMap(c.State.Request.RawQuery, Max(c, 0)), StepMultiMap);
        Add("kong.request.get_header", RW | A | RSP | L, c => c.State.RequestHeaders.Get(c.RequiredString(0)));
        Add("kong.request.get_headers", RW | A | RSP | L, c => c.State.RequestHeaders.ToMultiMap(Max(c, 0)), StepMultiMap);
        Add("kong.request.get_raw_body", RW | A | RSP, c => c.State.Request.Body);
        Add("kong.request.get_body", RW | A | RSP, c =>
            ParseBody(c, c.State.Request.Body, c.String(0) ?? c.State.RequestHeaders.Get("content-type")));
        Add("kong.request.get_uri_captures", RW | A | RSP | L, c => new Dictionary<string, object?>
        {
            ["unnamed"] = c.State.Request.UnnamedCaptures.Cast<object?>().ToList(),
            ["named"] = c.State.Request.NamedCaptures.ToDictionary(p => p.Key, p => (object?)p.Value),
        });
    }

    private void AddResponse()
    {
        Add("kong.response.get_status", RSP | L, c => (long)c.State.ResponseStatus);
        Add("kong.response.get_header", RSP | L, c => c.State.ResponseHeaders.Get(c.RequiredString(0)));
        Add("kong.response.get_headers", RSP | L, c => c.State.ResponseHeaders.ToMultiMap(Max(c, 0)), StepMultiMap);
        Add("kong.response.get_source", RSP | L, c => c.State.ResponseSource);
        Add("kong.response.set_status", RW | A | RSP, c =>
        {
            long status = c.RequiredInt(0);
            if (status is < 100 or > 999) c.Fail("code must be a number between 100 and 999");
            c.State.ResponseStatus = (int)status;
            return null;
        });
        Add("kong.response.set_header", RW | A | RSP, c =>
        {
            string name = c.RequiredString(0);
            c.State.ClearedBeforeProxy.Remove(name);
            c.State.ResponseHeaders.Set(name, HeaderValues(c, c.Arg(1)));
            return null;
        });
        Add("kong.response.add_header", RW | A | RSP, c =>
        {
            string name = c.RequiredString(0);
            foreach (string value in HeaderValues(c, c.Arg(1))) c.State.ResponseHeaders.Add(name, value);
            return null;
        });
        Add("kong.response.clear_header", RW | A | RSP, c =>
        {
            string name = c.RequiredString(0);
            c.State.ResponseHeaders.Remove(name);
            if (!c.State.Proxied) c.State.ClearedBeforeProxy.Add(name);
            return null;
        });
        Add("kong.response.set_headers", RW | A | RSP, c =>
        {
            foreach (KeyValuePair<string, object?> pair in c.Map(0) ?? c.Fail<Dictionary<string, object?>>("headers must be a table"))
            {
                c.State.ClearedBeforeProxy.Remove(pair.Key);
                c.State.ResponseHeaders.Set(pair.Key, HeaderValues(c, pair.Value));
            }

            return null;
        });
        _functions["kong.response.exit"] = new FakePdkFunction("kong.response.exit", RW | A | RSP, c => Exit(c, "exit"), Terminal: true);
        _functions["kong.response.error"] = new FakePdkFunction("kong.response.error", RW | A | RSP, c => Exit(c, "error"), Terminal: true);
        // body_filter only: unusable from an external plugin.
        Add("kong.response.get_raw_body", PdkPhaseSet.None, c => null);
        Add("kong.response.set_raw_body", PdkPhaseSet.None, c => null);
    }

    private void AddRouterService()
    {
        Add("kong.router.get_route", A | RSP | L, c => c.State.Request.Route, "plugin.StepRoute");
        Add("kong.router.get_service", A | RSP | L, c => c.State.Request.Service, "plugin.StepService");
        Add("kong.service.set_upstream", A, c =>
        {
            c.State.ServiceRequest.UpstreamName = c.RequiredString(0);
            c.State.ServiceRequest.Host = c.State.ServiceRequest.UpstreamName;
            return true;
        });
        Add("kong.service.set_target", RW | A | P, c =>
        {
            c.State.ServiceRequest.Host = c.RequiredString(0);
            long port = c.RequiredInt(1);
            if (port is < 0 or > 65535) c.Fail("port must be an integer between 0 and 65535");
            c.State.ServiceRequest.Port = (int)port;
            return null;
        });
        Add("kong.service.set_retries", A, c =>
        {
            c.State.ServiceRequest.Retries = (int)c.RequiredInt(0);
            return null;
        });
        Add("kong.service.set_timeouts", A, c =>
        {
            c.State.ServiceRequest.Timeouts = ((int)c.RequiredInt(0), (int)c.RequiredInt(1), (int)c.RequiredInt(2));
            return null;
        });
        Add("kong.service.set_tls_verify", RW | A | P, c =>
        {
            c.State.ServiceRequest.TlsVerify = c.Arg(0) is true;
            return true;
        });
        Add("kong.service.set_tls_verify_depth", RW | A | P, c =>
        {
            c.State.ServiceRequest.TlsVerifyDepth = (int)c.RequiredInt(0);
            return true;
        });
        // They take cdata: unusable over MsgPack.
        Add("kong.service.set_tls_cert_key", PdkPhaseSet.None, c => null);
        Add("kong.service.set_tls_verify_store", PdkPhaseSet.None, c => null);
    }

    private void AddServiceRequest()
    {
        const PdkPhaseSet Phases = RW | A;
        Add("kong.service.request.enable_buffering", Phases, c =>
        {
            c.State.ServiceRequest.BufferingEnabled = true;
            return null;
        });
        Add("kong.service.request.set_scheme", Phases, c =>
        {
            string scheme = c.RequiredString(0);
            if (scheme is not ("http" or "https" or "grpc" or "grpcs")) c.Fail($"invalid scheme: {scheme}");
            c.State.ServiceRequest.Scheme = scheme;
            return null;
        });
        Add("kong.service.request.set_path", Phases, c =>
        {
            string path = c.RequiredString(0);
            if (!path.StartsWith('/')) c.Fail("path must start with /");
            c.State.ServiceRequest.Path = path;
            return null;
        });
        Add("kong.service.request.set_raw_query", Phases, c =>
        {
            c.State.ServiceRequest.RawQuery = c.RequiredString(0);
            return null;
        });
        Add("kong.service.request.set_method", Phases, c =>
        {
            string method = c.RequiredString(0);
            if (method is not ("GET" or "HEAD" or "PUT" or "POST" or "DELETE" or "OPTIONS" or "MKCOL" or "COPY" or "MOVE"
                or "PROPFIND" or "PROPPATCH" or "LOCK" or "UNLOCK" or "PATCH" or "TRACE"))
            {
                c.Fail($"invalid method: {method}");
            }

            c.State.ServiceRequest.Method = method;
            return null;
        });
        Add("kong.service.request.set_query", Phases, c =>
        {
            c.State.ServiceRequest.RawQuery = QueryString.Encode(c.Map(0) ?? c.Fail<Dictionary<string, object?>>("args must be a table"));
            return null;
        });
        Add("kong.service.request.clear_query_arg", Phases, c =>
        {
            string name = c.RequiredString(0);
            string raw = c.State.ServiceRequest.RawQuery;
            c.State.ServiceRequest.RawQuery = string.Join("&", raw.Split('&').Where(part =>
                part.Length > 0 && QueryString.Parse(part) is { Count: 1 } one && one[0].Key != name));
            return null;
        });
        Add("kong.service.request.set_header", Phases, c =>
        {
            c.State.ServiceRequest.Headers.Set(c.RequiredString(0), HeaderValues(c, c.Arg(1)));
            return null;
        });
        Add("kong.service.request.add_header", Phases, c =>
        {
            string name = c.RequiredString(0);
            foreach (string value in HeaderValues(c, c.Arg(1))) c.State.ServiceRequest.Headers.Add(name, value);
            return null;
        });
        Add("kong.service.request.clear_header", Phases, c =>
        {
            c.State.ServiceRequest.Headers.Remove(c.RequiredString(0));
            return null;
        });
        Add("kong.service.request.set_headers", Phases, c =>
        {
            foreach (KeyValuePair<string, object?> pair in c.Map(0) ?? c.Fail<Dictionary<string, object?>>("headers must be a table"))
            {
                c.State.ServiceRequest.Headers.Set(pair.Key, HeaderValues(c, pair.Value));
            }

            return null;
        });
        Add("kong.service.request.set_raw_body", Phases, c =>
        {
            SetServiceBody(c.State, c.Bytes(0) ?? c.Fail<byte[]>("body must be a string"));
            return null;
        });
        Add("kong.service.request.set_body", Phases, c =>
        {
            Dictionary<string, object?> args = c.Map(0) ?? c.Fail<Dictionary<string, object?>>("args must be a table");
            string mime = c.String(1) ?? c.State.ServiceRequest.Headers.Get("content-type") ?? c.Fail<string>("content type was neither explicitly given as an argument or received as a header");
            string media = mime.Split(';')[0].Trim().ToLowerInvariant();
            byte[] body = media switch
            {
                "application/json" => Encoding.UTF8.GetBytes(MsgPackValue.ToJson(args)),
                "application/x-www-form-urlencoded" => Encoding.UTF8.GetBytes(QueryString.Encode(args)),
                _ => c.Fail<byte[]>($"the fake Kong cannot encode a {media} body (it does application/json and application/x-www-form-urlencoded)"),
            };
            if (c.String(1) is not null) c.State.ServiceRequest.Headers.Set("content-type", mime);
            SetServiceBody(c.State, body);
            return true;
        });
    }

    private void AddServiceResponse()
    {
        Add("kong.service.response.get_status", RSP, c => (long?)c.State.ServiceResponse?.Status);
        Add("kong.service.response.get_header", RSP, c => c.State.ServiceResponse?.Headers.Get(c.RequiredString(0)));
        Add("kong.service.response.get_headers", RSP, c => (c.State.ServiceResponse?.Headers ?? new KongTestHeaders()).ToMultiMap(Max(c, 0)), StepMultiMap);
        Add("kong.service.response.get_raw_body", RSP, c => c.State.ServiceResponse?.Body ?? []);
        Add("kong.service.response.get_body", RSP, c =>
            ParseBody(c, c.State.ServiceResponse?.Body ?? [], c.String(0) ?? c.State.ServiceResponse?.Headers.Get("content-type")));
    }

    private void AddVaultTelemetry()
    {
        Add("kong.vault.is_reference", All, c => IsVaultReference(c.String(0)));
        Add("kong.vault.get", All, c =>
        {
            string reference = c.RequiredString(0);
            if (!IsVaultReference(reference)) c.Fail($"not a reference: {reference}");
            return c.State.Request.VaultReferences.TryGetValue(reference, out string? secret) ? secret : null;
        });
        Add("kong.vault.parse_reference", All, c =>
        {
            string reference = c.RequiredString(0);
            if (!IsVaultReference(reference)) return null;
            // {vault://name/resource/key?query} ; key is optional.
            string inner = reference[9..^1];
            string? query = null;
            int q = inner.IndexOf('?');
            if (q >= 0) { query = inner[(q + 1)..]; inner = inner[..q]; }
            string[] parts = inner.Split('/');
            var map = new Dictionary<string, object?> { ["name"] = parts[0] };
            if (parts.Length > 1) map["resource"] = parts[1];
            if (parts.Length > 2) map["key"] = string.Join("/", parts[2..]);
            if (query is not null) map["config"] = QueryString.Parse(query).ToDictionary(p => p.Key, p => (object?)(p.Value ?? "true"));
            return map;
        });
        Add("kong.vault.update", All, c =>
        {
            Dictionary<string, object?>? options = c.Map(0);
            if (options is null) return null;
            var updated = new Dictionary<string, object?>(options);
            foreach (KeyValuePair<string, object?> pair in options)
            {
                if (pair.Value is string s && c.State.Request.VaultReferences.TryGetValue(s, out string? secret)) updated[pair.Key] = secret;
            }

            return updated;
        });
        Add("kong.vault.flush", All, c => null);
        Add("kong.telemetry.log", All, c =>
        {
            c.State.Telemetry.Add(c.Args);
            return null;
        });
    }

    // ---- helpers ----

    private static bool IsVaultReference(string? s) => s is not null && s.StartsWith("{vault://", StringComparison.Ordinal) && s.EndsWith('}') && s.Length > 10;

    private static int Max(FakePdkCall c, int index)
    {
        long max = c.Int(index) ?? 100;
        if (max is < 1 or > 1000) c.Fail("max must be a number between 1 and 1000");
        return (int)max;
    }

    /// <summary>A forwarded value: the header's, when the client is trusted; otherwise null.</summary>
    private static string? Forwarded(FakePdkCall c, string header, Func<string, string> select)
        => c.State.Request.TrustedIps.Contains(c.State.Request.ClientIp) && c.State.RequestHeaders.Get(header) is { } value ? select(value) : null;

    private static string NormalizePath(string path)
    {
        // Kong's get_path: percent-decodes unreserved characters and merges slashes.
        var builder = new StringBuilder(path.Length);
        for (int i = 0; i < path.Length; i++)
        {
            char ch = path[i];
            if (ch == '%' && i + 2 < path.Length && int.TryParse(path.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code)
                && (char.IsAsciiLetterOrDigit((char)code) || code is '-' or '.' or '_' or '~'))
            {
                builder.Append((char)code);
                i += 2;
            }
            else if (ch == '/' && builder.Length > 0 && builder[^1] == '/')
            {
                continue;
            }
            else
            {
                builder.Append(ch);
            }
        }

        return builder.ToString();
    }

    private static KongMultiMapValue QueryMultiMap(string rawQuery, int max)
    {
        var map = new KongMultiMapValue();
        IReadOnlyList<KeyValuePair<string, string?>> pairs = QueryString.Parse(rawQuery);
        var counts = pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Count());
        int taken = 0;
        foreach (KeyValuePair<string, string?> pair in pairs)
        {
            if (taken++ >= max) break;
            // One valueless argument is `true`, which Kong sends as an empty array; in a repeated one it stays `true`.
            if (pair.Value is null && counts[pair.Key] == 1) map.Add(pair.Key, null);
            else map.Add(pair.Key, pair.Value is null ? true : pair.Value);
        }

        return map;
    }

    private static string[] HeaderValues(FakePdkCall c, object? value) => value switch
    {
        null => c.Fail<string[]>("invalid header value: nil"),
        List<object?> list => list.Select(v => v is string or long or double or bool ? MsgPackValue.ToText(v) : c.Fail<string>("invalid header value in array")).ToArray(),
        string or long or double or bool or ulong or byte[] => [MsgPackValue.ToText(value)],
        _ => c.Fail<string[]>($"invalid header value: {MsgPackValue.ToJson(value)}"),
    };

    private static void SetServiceBody(FakeKongState state, byte[] body)
    {
        state.ServiceRequest.Body = body;
        state.ServiceRequest.Headers.Set("content-length", body.Length.ToString(CultureInfo.InvariantCulture));
    }

    private static object? ParseBody(FakePdkCall c, byte[] body, string? contentType)
    {
        if (contentType is null) return null; // Kong: nil, "missing content type"
        string media = contentType.Split(';')[0].Trim().ToLowerInvariant();
        switch (media)
        {
            case "application/json":
                try
                {
                    return MsgPackValue.FromJson(body);
                }
                catch (System.Text.Json.JsonException)
                {
                    return null; // Kong: nil, "failed to decode json"
                }

            case "application/x-www-form-urlencoded":
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, string?> pair in QueryString.Parse(Encoding.UTF8.GetString(body)))
                {
                    object value = pair.Value is null ? true : pair.Value;
                    if (!map.TryGetValue(pair.Key, out object? existing)) map[pair.Key] = value;
                    else if (existing is List<object?> list) list.Add(value);
                    else map[pair.Key] = new List<object?> { existing, value };
                }

                return map;
            case "multipart/form-data":
                return c.Fail<object?>("the fake Kong does not parse multipart bodies; read the raw body instead");
            default:
                return null; // Kong: nil, "unsupported content type"
        }
    }

    private static object? Exit(FakePdkCall c, string source)
    {
        FakeKongState state = c.State;
        long status = c.RequiredInt(0);
        if (status is < 100 or > 599) c.Fail("code must be a number between 100 and 599");
        state.ResponseStatus = (int)status;
        state.ResponseSource = source;
        state.ExitedIn = c.Phase;
        if (!state.Proxied)
        {
            // Headers the plugin set before the exit stay; there is no upstream response to merge.
            state.ClearedBeforeProxy.Clear();
        }

        byte[] body;
        if (source == "error")
        {
            string message = c.String(1) ?? DefaultErrorMessage((int)status);
            body = Encoding.UTF8.GetBytes("{\n  \"message\":" + MsgPackValue.ToJson(message)
                + ",\n  \"request_id\":\"" + state.Request.RequestId + "\"\n}");
            state.ResponseHeaders.Set("content-type", "application/json; charset=utf-8");
        }
        else
        {
            switch (c.Arg(1))
            {
                case null:
                    body = [];
                    break;
                case string s:
                    body = Encoding.UTF8.GetBytes(s);
                    break;
                case byte[] b:
                    body = b;
                    break;
                case Dictionary<string, object?> or List<object?>:
                    body = Encoding.UTF8.GetBytes(MsgPackValue.ToJson(c.Arg(1)));
                    state.ResponseHeaders.Set("content-type", "application/json; charset=utf-8");
                    break;
                default:
                    body = c.Fail<byte[]>("body must be a string or a table");
                    break;
            }
        }

        foreach (KeyValuePair<string, object?> pair in c.Map(2) ?? [])
        {
            state.ResponseHeaders.Set(pair.Key, HeaderValues(c, pair.Value));
        }

        state.ResponseBody = body;
        state.ResponseHeaders.Set("content-length", body.Length.ToString(CultureInfo.InvariantCulture));
        return null;
    }

    private static string DefaultErrorMessage(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        406 => "Not acceptable",
        408 => "Request timeout",
        409 => "Conflict",
        411 => "Length required",
        412 => "Precondition failed",
        413 => "Payload too large",
        414 => "URI too long",
        415 => "Unsupported media type",
        429 => "API rate limit exceeded",
        500 => "An unexpected error occurred",
        502 => "An invalid response was received from the upstream server",
        503 => "The upstream server is currently unavailable",
        504 => "The upstream server is timing out",
        _ => "The upstream server responded with " + status.ToString(CultureInfo.InvariantCulture),
    };

    private static string? NginxVar(FakeKongState state, string name)
    {
        KongTestRequest r = state.Request;
        if (r.NginxVars.TryGetValue(name, out string? overridden)) return overridden;
        if (name.StartsWith("http_", StringComparison.Ordinal)) return state.RequestHeaders.Get(name[5..]);
        if (name.StartsWith("arg_", StringComparison.Ordinal))
        {
            foreach (KeyValuePair<string, string?> pair in QueryString.Parse(r.RawQuery))
            {
                if (string.Equals(pair.Key, name[4..], StringComparison.OrdinalIgnoreCase)) return pair.Value ?? "";
            }

            return null;
        }

        string port = r.EffectivePort.ToString(CultureInfo.InvariantCulture);
        return name switch
        {
            "request_uri" => r.RawQuery.Length == 0 ? r.Path : r.Path + "?" + r.RawQuery,
            "uri" => NormalizePath(Uri.UnescapeDataString(r.Path)),
            "args" or "query_string" => r.RawQuery.Length == 0 ? null : r.RawQuery,
            "is_args" => r.RawQuery.Length == 0 ? "" : "?",
            "request_method" => r.Method,
            "scheme" => r.Scheme,
            "https" => r.Tls is null ? "" : "on",
            "host" => r.Host.ToLowerInvariant(),
            "http_host" => state.RequestHeaders.Get("host"),
            "server_port" => port,
            "server_name" => "kong",
            "server_addr" => "127.0.0.1",
            "server_protocol" => r.HttpVersion switch { 2 => "HTTP/2.0", 1.0 => "HTTP/1.0", _ => "HTTP/1.1" },
            "remote_addr" or "binary_remote_addr_text" or "realip_remote_addr" => r.ClientIp,
            "remote_port" or "realip_remote_port" => r.ClientPort.ToString(CultureInfo.InvariantCulture),
            "request_id" => r.RequestId,
            "request_length" => (r.Body.Length + 100).ToString(CultureInfo.InvariantCulture),
            "content_type" => state.RequestHeaders.Get("content-type"),
            "content_length" => state.RequestHeaders.Get("content-length"),
            "ssl_protocol" => r.Tls?.Protocol,
            "ssl_server_name" => r.Tls?.ServerName,
            "upstream_uri" => state.ServiceRequest.PathAndQuery,
            "upstream_scheme" => state.ServiceRequest.Scheme,
            "upstream_host" => state.ServiceRequest.Headers.Get("host"),
            "upstream_status" => state.ServiceResponse?.Status.ToString(CultureInfo.InvariantCulture),
            "status" => state.ResponseStatus.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    /// <summary>Kong's basic serializer output as JSON text (what <c>kong.log.serialize</c> sends).</summary>
    private static string Serialize(FakeKongState state)
    {
        KongTestRequest r = state.Request;
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, List<object?>> entry in state.RequestHeaders.ToMultiMap(100).Entries)
        {
            headers[entry.Key] = entry.Value.Count == 1 ? entry.Value[0] : entry.Value;
        }

        var responseHeaders = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, List<object?>> entry in state.ResponseHeaders.ToMultiMap(100).Entries)
        {
            responseHeaders[entry.Key] = entry.Value.Count == 1 ? entry.Value[0] : entry.Value;
        }

        var query = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, List<object?>> entry in QueryMultiMap(r.RawQuery, 100).Entries)
        {
            query[entry.Key] = entry.Value.Count == 0 ? true : entry.Value.Count == 1 ? entry.Value[0] : entry.Value;
        }

        var request = new Dictionary<string, object?>
        {
            ["method"] = r.Method,
            ["uri"] = r.RawQuery.Length == 0 ? r.Path : r.Path + "?" + r.RawQuery,
            ["url"] = $"{r.Scheme}://{r.Host}:{r.EffectivePort}{r.Path}" + (r.RawQuery.Length == 0 ? "" : "?" + r.RawQuery),
            ["querystring"] = query,
            ["headers"] = headers,
            ["size"] = (long)(r.Body.Length + 100),
            ["id"] = r.RequestId,
        };
        if (r.Tls is not null)
        {
            request["tls"] = new Dictionary<string, object?> { ["version"] = r.Tls.Protocol, ["cipher"] = "TLS_AES_256_GCM_SHA384", ["client_verify"] = r.Tls.ClientCertificateChainPem is null ? "NONE" : "SUCCESS" };
        }

        var log = new Dictionary<string, object?>
        {
            ["request"] = request,
            ["upstream_uri"] = state.ServiceRequest.PathAndQuery,
            ["response"] = new Dictionary<string, object?>
            {
                ["status"] = (long)state.ResponseStatus,
                ["headers"] = responseHeaders,
                ["size"] = (long)(state.ResponseBody.Length + 200),
            },
            ["latencies"] = new Dictionary<string, object?> { ["kong"] = 0L, ["proxy"] = state.Proxied ? 1L : -1L, ["request"] = 1L, ["receive"] = 0L },
            ["tries"] = state.Proxied
                ? new List<object?> { new Dictionary<string, object?> { ["ip"] = "10.0.0.2", ["port"] = (long)state.ServiceRequest.Port, ["balancer_latency"] = 0L } }
                : new List<object?>(),
            ["client_ip"] = r.ClientIp,
            ["started_at"] = r.StartTime.ToUnixTimeMilliseconds(),
            ["source"] = state.ResponseSource,
            ["route"] = r.Route,
            ["service"] = r.Service,
            ["workspace"] = "0dc6f45b-8f8d-40d2-a504-473544ee190b",
            ["workspace_name"] = "default",
        };
        if (state.Consumer is not null) log["consumer"] = state.Consumer;
        if (state.Credential is not null)
        {
            log["authenticated_entity"] = new Dictionary<string, object?>
            {
                ["id"] = state.Credential.GetValueOrDefault("id"),
                ["consumer_id"] = (state.Credential.GetValueOrDefault("consumer") as Dictionary<string, object?>)?.GetValueOrDefault("id"),
            };
        }

        foreach (KeyValuePair<string, object?> pair in state.SerializeValues)
        {
            // Dotted keys address nested tables, as in Kong.
            string[] path = pair.Key.Split('.');
            Dictionary<string, object?> target = log;
            for (int i = 0; i < path.Length - 1; i++)
            {
                if (target.GetValueOrDefault(path[i]) is not Dictionary<string, object?> next)
                {
                    next = new Dictionary<string, object?>();
                    target[path[i]] = next;
                }

                target = next;
            }

            target[path[^1]] = pair.Value;
        }

        return MsgPackValue.ToJson(log);
    }
}

