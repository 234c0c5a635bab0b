using System.Text;
using System.Text.Json;

namespace Kong.Pdk.Testing;

/// <summary>The upstream (the proxied service) of a run: receives the request as Kong proxies it.</summary>
public delegate ValueTask<KongUpstreamResponse> KongUpstreamHandler(KongUpstreamRequest request, CancellationToken cancellationToken);

/// <summary>
/// The request as the upstream sees it: the client's request after the plugin's <c>kong.service.*</c> and
/// <c>kong.service.request.*</c> calls, with Kong's proxy headers (<c>x-forwarded-*</c>, <c>x-real-ip</c>) and,
/// unless the route preserves the host, <c>host</c> set to the upstream host.
/// </summary>
public sealed class KongUpstreamRequest
{
    internal KongUpstreamRequest() { }

    /// <summary>HTTP method.</summary>
    public string Method { get; set; } = "GET";

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; set; } = "http";

    /// <summary>Upstream host: the service's, or what <c>set_target</c>/<c>set_upstream</c> chose.</summary>
    public string Host { get; set; } = "";

    /// <summary>Upstream port.</summary>
    public int Port { get; set; }

    /// <summary>Path.</summary>
    public string Path { get; set; } = "/";

    /// <summary>Query string without <c>?</c>.</summary>
    public string RawQuery { get; set; } = "";

    /// <summary>Headers.</summary>
    public KongTestHeaders Headers { get; internal set; } = new();

    /// <summary>Body bytes.</summary>
    public byte[] Body { get; set; } = [];

    /// <summary>Body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The query parsed as nginx does (percent-decoded, <c>+</c> as space): name and value, null for a
    /// valueless argument.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Query => QueryString.Parse(RawQuery);

    /// <summary>First value of query argument <paramref name="name"/> (empty for a valueless one), or null.</summary>
    public string? GetQueryArg(string name)
    {
        foreach (KeyValuePair<string, string?> pair in Query)
        {
            if (pair.Key == name) return pair.Value ?? "";
        }

        return null;
    }

    /// <summary>Path and query, as in the request line.</summary>
    public string PathAndQuery => RawQuery.Length == 0 ? Path : Path + "?" + RawQuery;

    /// <summary><c>kong.service.set_retries</c>; the service's value by default.</summary>
    public int Retries { get; set; } = 5;

    /// <summary><c>kong.service.set_timeouts</c> (connect, write, read) in milliseconds.</summary>
    public (int Connect, int Write, int Read) Timeouts { get; set; } = (60000, 60000, 60000);

    /// <summary><c>kong.service.set_upstream</c>: the upstream entity name, when set.</summary>
    public string? UpstreamName { get; set; }

    /// <summary><c>kong.service.set_tls_verify</c>, when set.</summary>
    public bool? TlsVerify { get; set; }

    /// <summary><c>kong.service.set_tls_verify_depth</c>, when set.</summary>
    public int? TlsVerifyDepth { get; set; }

    /// <summary>True after <c>kong.service.request.enable_buffering</c>.</summary>
    public bool BufferingEnabled { get; set; }

    internal KongUpstreamRequest Clone()
    {
        var copy = (KongUpstreamRequest)MemberwiseClone();
        copy.Headers = new KongTestHeaders(Headers);
        copy.Body = (byte[])Body.Clone();
        return copy;
    }
}

/// <summary>What the upstream answers.</summary>
public sealed class KongUpstreamResponse
{
    /// <summary>Creates a response.</summary>
    public KongUpstreamResponse(int status = 200, byte[]? body = null)
    {
        Status = status;
        Body = body ?? [];
    }

    /// <summary>Status code.</summary>
    public int Status { get; set; }

    /// <summary>Headers.</summary>
    public KongTestHeaders Headers { get; } = new();

    /// <summary>Body.</summary>
    public byte[] Body { get; set; }

    /// <summary>A text response.</summary>
    public static KongUpstreamResponse Text(int status, string body, string contentType = "text/plain; charset=utf-8")
    {
        var response = new KongUpstreamResponse(status, Encoding.UTF8.GetBytes(body));
        response.Headers.Add("content-type", contentType);
        return response;
    }

    /// <summary>A JSON response.</summary>
    public static KongUpstreamResponse Json(int status, string json) => Text(status, json, "application/json");

    /// <summary>Adds a header and returns this response.</summary>
    public KongUpstreamResponse WithHeader(string name, string value)
    {
        Headers.Add(name, value);
        return this;
    }

    /// <summary>
    /// The default upstream: 200 with a JSON body that echoes the request as the upstream saw it:
    /// <c>{"method", "path", "query", "headers": {name: [values]}, "body"}</c> (header names lower case, body as
    /// UTF-8 text), <c>content-type: application/json</c>, and an <c>x-echo-method</c> header.
    /// </summary>
    public static ValueTask<KongUpstreamResponse> Echo(KongUpstreamRequest request, CancellationToken cancellationToken)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("method", request.Method);
            json.WriteString("path", request.Path);
            json.WriteString("query", request.RawQuery);
            json.WriteStartObject("headers");
            foreach (string name in request.Headers.Names)
            {
                json.WriteStartArray(name.ToLowerInvariant());
                foreach (string value in request.Headers.GetAll(name)) json.WriteStringValue(value);
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteString("body", request.BodyText);
            json.WriteEndObject();
        }

        var response = new KongUpstreamResponse(200, buffer.WrittenSpan.ToArray());
        response.Headers.Add("content-type", "application/json");
        response.Headers.Add("content-length", response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.Add("x-echo-method", request.Method);
        return ValueTask.FromResult(response);
    }
}

/// <summary>Query-string parsing and encoding as nginx and Kong do them.</summary>
public static class QueryString
{
    /// <summary>Splits on <c>&amp;</c>, percent-decodes, <c>+</c> as space; a valueless argument has a null value.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Parse(string rawQuery)
    {
        var result = new List<KeyValuePair<string, string?>>();
        if (string.IsNullOrEmpty(rawQuery)) return result;
        foreach (string part in rawQuery.Split('&'))
        {
            if (part.Length == 0) continue;
            int eq = part.IndexOf('=');
            if (eq < 0) result.Add(new(Decode(part), null));
            else result.Add(new(Decode(part[..eq]), Decode(part[(eq + 1)..])));
        }

        return result;
    }

    /// <summary>Kong's <c>set_query</c> encoding: keys sorted, arrays repeated, <c>true</c> as a bare name, spaces as
    /// <c>%20</c>.</summary>
    public static string Encode(IReadOnlyDictionary<string, object?> args)
    {
        var parts = new List<string>();
        foreach (KeyValuePair<string, object?> pair in args.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            IEnumerable<object?> values = pair.Value is List<object?> list ? list : [pair.Value];
            foreach (object? value in values)
            {
                if (value is true) parts.Add(Uri.EscapeDataString(pair.Key));
                else if (value is false or null) continue;
                else parts.Add(Uri.EscapeDataString(pair.Key) + "=" + Uri.EscapeDataString(MsgPackValue.ToText(value)));
            }
        }

        return string.Join("&", parts);
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
