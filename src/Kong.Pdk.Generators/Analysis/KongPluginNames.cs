using System;
using System.Collections.Generic;
using System.Text;

namespace Kong.Pdk.Generators.Analysis;

/// <summary>What Kong itself says about plugin names: the bundled plugins and the socket path a name gives.</summary>
internal static class KongPluginNames
{
    /// <summary>Kong's default prefix, which holds the plugin sockets (<c>&lt;prefix&gt;/&lt;name&gt;.socket</c>).</summary>
    public const string DefaultPrefix = "/usr/local/kong";

    /// <summary>The longest Unix socket path: <c>sun_path</c> holds 108 bytes, the terminating NUL included.</summary>
    public const int MaxSocketPathBytes = 107;

    /// <summary>
    /// Every plugin bundled with Kong 3.0 to 3.x (the <c>plugins</c> list of <c>kong/constants.lua</c>, union of all
    /// 3.x releases). Kong loads a bundled plugin's Lua module before it asks the plugin servers, so an external plugin
    /// with one of these names never runs.
    /// </summary>
    public static readonly HashSet<string> Bundled = new(StringComparer.Ordinal)
    {
        "acl", "acme", "ai-prompt-decorator", "ai-prompt-guard", "ai-prompt-template", "ai-proxy",
        "ai-request-transformer", "ai-response-transformer", "aws-lambda", "azure-functions", "basic-auth",
        "bot-detection", "correlation-id", "cors", "datadog", "file-log", "grpc-gateway", "grpc-web", "hmac-auth",
        "http-log", "ip-restriction", "jwt", "key-auth", "ldap-auth", "loggly", "oauth2", "opentelemetry",
        "post-function", "pre-function", "prometheus", "proxy-cache", "rate-limiting", "redirect",
        "request-size-limiting", "request-termination", "request-transformer", "response-ratelimiting",
        "response-transformer", "session", "standard-webhooks", "statsd", "syslog", "tcp-log", "udp-log", "zipkin",
    };

    /// <summary>The socket path of <paramref name="name"/> under Kong's default prefix.</summary>
    public static string DefaultSocketPath(string name) => DefaultPrefix + "/" + name + ".socket";

    /// <summary>The UTF-8 length of <paramref name="path"/>.</summary>
    public static int Bytes(string path) => Encoding.UTF8.GetByteCount(path);
}
