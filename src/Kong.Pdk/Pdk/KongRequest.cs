using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary><c>kong.request</c>: the request as the client sent it. Each call is one round trip to Kong.</summary>
public sealed class KongRequest
{
    private readonly KongEvent _event;

    internal KongRequest(KongEvent ev) => _event = ev;

    /// <summary><c>kong.request.get_header(name)</c>: the first value of a request header, or null when it is
    /// absent. Phases: rewrite, access, response, log (from saved headers).</summary>
    /// <remarks>A value that is not valid UTF-8 is decoded with U+FFFD replacement characters.</remarks>
    public ValueTask<string?> GetHeaderAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetHeader, 1, PdkPhases.Request | PdkPhases.Log, cancellationToken);
        writer.Write(name);
        return PdkDecode.StringOrNullAsync(_event.SendCallAsync(ref writer));
    }

    /// <summary><c>kong.request.get_headers()</c>: all request headers (up to Kong's default of 100), names
    /// compared case-insensitively. Phases: rewrite, access, response, log (from saved headers).</summary>
    public ValueTask<KongMultiMap> GetHeadersAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetHeaders, 0, PdkPhases.Request | PdkPhases.Log, cancellationToken);
        return PdkDecode.MultiMapAsync(_event.SendCallAsync(ref writer), ignoreCase: true);
    }

    /// <summary><c>kong.request.get_path()</c>: the normalized path, without the query string.
    /// Phases: rewrite, access, response.</summary>
    public ValueTask<string> GetPathAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.RequestGetPath, 0, PdkPhases.Request, cancellationToken);
        return PdkDecode.StringAsync(_event.SendCallAsync(ref writer));
    }
}
