using Kong.Pdk.Pdk;

namespace Kong.Pdk;

/// <summary>
/// The Kong PDK as a phase handler receives it: one object per event (one phase of one request). Every call is a
/// round trip to Kong over the plugin socket, so read what you need once (for example
/// <see cref="KongRequest.GetHeadersAsync(CancellationToken)"/> instead of many <see cref="KongRequest.GetHeaderAsync"/>).
/// Each call checks the phase before anything is sent and throws <see cref="KongPdkException"/> naming the phase
/// when Kong would reject it.
/// </summary>
/// <remarks>
/// The object is valid only while its handler runs, and so are the modules taken from it (<see cref="Request"/>,
/// <see cref="Response"/>, ...: read-only structs over this object, so taking one allocates nothing and a copy in a
/// local is as good as the property). After <see cref="KongResponse.ExitAsync(int, string?, IReadOnlyDictionary{string, string}?, CancellationToken)"/>
/// or <see cref="KongResponse.ErrorAsync(int, string?, IReadOnlyDictionary{string, string}?, CancellationToken)"/>, and after the
/// event was abandoned, every call throws <see cref="KongEventEndedException"/>. Await each call before making the
/// next one.
/// </remarks>
public interface IKong
{
    /// <summary>The phase this event runs in.</summary>
    KongPhase Phase { get; }

    /// <summary><c>kong.request</c>: the client's request.</summary>
    KongRequest Request { get; }

    /// <summary><c>kong.response</c>: the response to the client.</summary>
    KongResponse Response { get; }

    /// <summary><c>kong.log</c>: Kong's error log and the log serializer.</summary>
    KongLog Log { get; }

    /// <summary><c>kong.client</c>: the client connection, consumer and credential; <c>.Tls</c> for mutual TLS.</summary>
    KongClient Client { get; }

    /// <summary><c>kong.ctx</c>: <c>.Shared</c> holds values shared by the plugins of a request.</summary>
    KongCtx Ctx { get; }

    /// <summary><c>kong.ip</c>: trusted-address checks.</summary>
    KongIp Ip { get; }

    /// <summary><c>kong.nginx</c>: nginx variables, <c>ngx.ctx</c> and statistics.</summary>
    KongNginx Nginx { get; }

    /// <summary><c>kong.node</c>: node id, host name, memory statistics.</summary>
    KongNode Node { get; }

    /// <summary><c>kong.plugin</c>: the plugin entity's id.</summary>
    KongPluginModule Plugin { get; }

    /// <summary><c>kong.cluster</c>: the cluster id.</summary>
    KongCluster Cluster { get; }

    /// <summary><c>kong.router</c>: the matched route and service.</summary>
    KongRouter Router { get; }

    /// <summary><c>kong.service</c>: the upstream target; <c>.Request</c> and <c>.Response</c>.</summary>
    KongService Service { get; }

    /// <summary><c>kong.vault</c>: secret references.</summary>
    KongVault Vault { get; }

    /// <summary><c>kong.telemetry</c>: OpenTelemetry logs.</summary>
    KongTelemetry Telemetry { get; }

    /// <summary>
    /// Calls any Kong PDK function by its dotted name, for functions the typed API does not cover (Enterprise
    /// functions, functions Kong adds later): <c>await kong.CallAsync("kong.client.get_consumer_groups")</c>.
    /// </summary>
    /// <remarks>
    /// Kong resolves the name by walking the <c>kong</c> global. A name Kong doesn't know comes back as
    /// <see cref="KongValue.Nil"/> and Kong logs "could not find pdk method"; calling something that is not a
    /// function, a wrong argument, or a function Kong forbids in the current phase raises a Lua error in Kong (an
    /// HTTP 500, and the event is abandoned), because no phase check happens here (the analyzer reports a
    /// constant name in a phase Kong forbids, KONG0301). Trailing nil arguments are
    /// dropped; a nil before a non-nil argument throws <see cref="ArgumentException"/>, since Kong would lose the
    /// arguments after it. Only the first return value comes back (a Lua <c>nil, err</c> is nil).
    /// </remarks>
    /// <param name="method">The dotted name, e.g. <c>kong.request.get_header</c>.</param>
    /// <param name="args">The arguments.</param>
    ValueTask<KongValue> CallAsync(string method, params KongValue[] args);

    /// <summary>As <see cref="CallAsync(string, KongValue[])"/>, with a cancellation token (checked before sending).</summary>
    ValueTask<KongValue> CallAsync(string method, KongValue[] args, CancellationToken cancellationToken);
}
