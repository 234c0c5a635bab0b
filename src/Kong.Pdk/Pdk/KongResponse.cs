using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk.Pdk;

/// <summary><c>kong.response</c>: the response Kong sends to the client.</summary>
public sealed class KongResponse
{
    private readonly KongEvent _event;

    internal KongResponse(KongEvent ev) => _event = ev;

    /// <summary><c>kong.response.set_header(name, value)</c>: sets a response header, replacing earlier values.
    /// Phases: rewrite, access, response.</summary>
    public ValueTask SetHeaderAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ResponseSetHeader, 2, PdkPhases.Request, cancellationToken);
        writer.Write(name);
        writer.Write(value);
        return PdkDecode.IgnoreAsync(_event.SendCallAsync(ref writer));
    }

    /// <summary>
    /// <c>kong.response.exit(status, body, headers)</c>: ends the request with this response. <b>Terminal</b>: Kong
    /// never answers it, so the returned task always throws <see cref="KongEventEndedException"/> (reason
    /// <see cref="KongEventEndReason.Exited"/>), which unwinds the handler; the server treats that as a normal end.
    /// Code after the await does not run. Phases: rewrite, access, response.
    /// </summary>
    /// <remarks>Headers without a body are sent as <c>kong.response.set_headers</c> first, then
    /// <c>exit(status)</c>, because Kong would lose headers that follow a nil body.</remarks>
    public async ValueTask ExitAsync(int status, string? body = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        await TerminalAsync(PdkMethods.ResponseExit, status, body, headers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>kong.response.error(status, message, headers)</c>: ends the request with Kong's error page for
    /// <paramref name="status"/>. <b>Terminal</b>, like <see cref="ExitAsync"/>. Phases: rewrite, access, response.
    /// </summary>
    public async ValueTask ErrorAsync(int status, string? message = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        await TerminalAsync(PdkMethods.ResponseError, status, message, headers, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask TerminalAsync(byte[] method, int status, string? body, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        if (body is null && headers is { Count: > 0 })
        {
            MessagePackWriter set = _event.BeginCall(PdkMethods.ResponseSetHeaders, 1, PdkPhases.Request, cancellationToken);
            WriteHeaders(ref set, headers);
            await PdkDecode.IgnoreAsync(_event.SendCallAsync(ref set)).ConfigureAwait(false);
            headers = null;
        }

        int argCount = headers is { Count: > 0 } ? 3 : body is not null ? 2 : 1;
        MessagePackWriter writer = _event.BeginCall(method, argCount, PdkPhases.Request, cancellationToken);
        writer.Write(status);
        if (argCount >= 2) writer.Write(body);
        if (argCount == 3) WriteHeaders(ref writer, headers!);
        await _event.SendTerminalAsync(ref writer).ConfigureAwait(false);
    }

    private static void WriteHeaders(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> headers)
    {
        writer.WriteMapHeader(headers.Count);
        foreach (KeyValuePair<string, string> header in headers)
        {
            writer.Write(header.Key);
            writer.Write(header.Value);
        }
    }
}
