using Kong.Pdk.Pdk;
using Kong.Pdk.Server;
using MessagePack;

namespace Kong.Pdk;

/// <summary><c>kong.client</c>: the client connection and the authenticated consumer.
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongClient
{
    private readonly KongEvent? _handle;

    internal KongClient(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongClient));

    /// <summary><c>kong.client.tls</c>: the client's TLS connection.</summary>
    public KongClientTls Tls => new(_event);

    /// <summary><c>kong.client.get_ip()</c>: the address of the peer that connected to Kong (no forwarding
    /// headers). Phases: certificate, rewrite, access, response.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetIpAsync(CancellationToken cancellationToken = default) => String(PdkMethods.ClientGetIp, cancellationToken);

    /// <summary><c>kong.client.get_forwarded_ip()</c>: the client address, honouring forwarding headers from trusted
    /// addresses. Phases: certificate, rewrite, access, response.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetForwardedIpAsync(CancellationToken cancellationToken = default) => String(PdkMethods.ClientGetForwardedIp, cancellationToken);

    /// <summary><c>kong.client.get_port()</c>: the peer's port. Phases: certificate, rewrite, access, response.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<int> GetPortAsync(CancellationToken cancellationToken = default) => Int(PdkMethods.ClientGetPort, cancellationToken);

    /// <summary><c>kong.client.get_forwarded_port()</c>: the client port, honouring forwarding headers from trusted
    /// addresses. Phases: certificate, rewrite, access, response.</summary>
    [KongPhases(KongPhase.Certificate, KongPhase.Rewrite, KongPhase.Access, KongPhase.Response)]
    public ValueTask<int> GetForwardedPortAsync(CancellationToken cancellationToken = default) => Int(PdkMethods.ClientGetForwardedPort, cancellationToken);

    /// <summary><c>kong.client.get_credential()</c>: the authenticated credential, or null. Phases: access,
    /// response, log (from the saved context).</summary>
    [KongPhases(KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongCredential?> GetCredentialAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClientGetCredential, 0, PdkPhases.AccessResponse | PdkPhases.Log, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Credential);
    }

    /// <summary><c>kong.client.get_consumer()</c>: the authenticated consumer, or null. Phases: access, response,
    /// log (from the saved context).</summary>
    [KongPhases(KongPhase.Access, KongPhase.Response, KongPhase.Log)]
    public ValueTask<KongConsumer?> GetConsumerAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClientGetConsumer, 0, PdkPhases.AccessResponse | PdkPhases.Log, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Consumer);
    }

    /// <summary><c>kong.client.load_consumer(id, by_username)</c>: looks a consumer up by id (or by username when
    /// <paramref name="byUsername"/>); null when not found. Queries the database on every call, without caching.
    /// Phases: access, response.</summary>
    [KongPhases(KongPhase.Access, KongPhase.Response)]
    public ValueTask<KongConsumer?> LoadConsumerAsync(string consumerId, bool byUsername = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consumerId);
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClientLoadConsumer, 2, PdkPhases.AccessResponse, cancellationToken);
        writer.Write(consumerId);
        writer.Write(byUsername);
        return _event.SendCallAsync(ref writer, PdkDecoders.Consumer);
    }

    /// <summary><c>kong.client.authenticate(consumer, credential)</c>: sets the authenticated consumer and/or
    /// credential. At least one is required. A missing consumer is sent as <c>[nil, credential]</c>, the one
    /// nil-first call Kong decodes correctly (kong-protocol.md §6.3). Phases: access.</summary>
    /// <param name="consumer">The consumer entity as a map (for example <see cref="KongConsumer.Raw"/>), or null.</param>
    /// <param name="credential">The credential as a map (at least <c>id</c>), or null.</param>
    /// <param name="cancellationToken">Cancels before sending.</param>
    [KongPhases(KongPhase.Access)]
    public ValueTask AuthenticateAsync(KongValue? consumer, KongValue? credential = null, CancellationToken cancellationToken = default)
    {
        bool hasConsumer = consumer is { IsNil: false };
        bool hasCredential = credential is { IsNil: false };
        if (!hasConsumer && !hasCredential) throw new ArgumentException("kong.client.authenticate needs a consumer or a credential.", nameof(consumer));
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClientAuthenticate, hasCredential ? 2 : 1, PdkPhases.Access, cancellationToken);
        if (hasConsumer) consumer!.WriteTo(ref writer);
        else writer.WriteNil();
        if (hasCredential) credential!.WriteTo(ref writer);
        return _event.SendIgnoredCallAsync(ref writer);
    }

    /// <summary><c>kong.client.authenticate(consumer, credential)</c> with entities read earlier (their
    /// <c>Raw</c> maps are sent). Phases: access.</summary>
    [KongPhases(KongPhase.Access)]
    public ValueTask AuthenticateAsync(KongConsumer? consumer, KongCredential? credential = null, CancellationToken cancellationToken = default)
        => AuthenticateAsync(consumer?.Raw, credential?.Raw, cancellationToken);

    /// <summary><c>kong.client.get_protocol(allow_terminated)</c>: <c>http</c>, <c>https</c>, <c>grpc</c>,
    /// <c>grpcs</c>, <c>tcp</c>, <c>tls</c>, …; with <paramref name="allowTerminated"/>, honours
    /// <c>X-Forwarded-Proto</c> from trusted addresses. Phases: access, response.</summary>
    [KongPhases(KongPhase.Access, KongPhase.Response)]
    public ValueTask<string> GetProtocolAsync(bool allowTerminated = false, CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClientGetProtocol, 1, PdkPhases.AccessResponse, cancellationToken);
        writer.Write(allowTerminated);
        return _event.SendStringCallAsync(ref writer);
    }

    private ValueTask<string> String(byte[] method, CancellationToken cancellationToken)
    {
        MessagePackWriter writer = _event.BeginCall(method, 0, PdkPhases.CertificateRequest, cancellationToken);
        return _event.SendStringCallAsync(ref writer);
    }

    private ValueTask<int> Int(byte[] method, CancellationToken cancellationToken)
    {
        MessagePackWriter writer = _event.BeginCall(method, 0, PdkPhases.CertificateRequest, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Int32);
    }
}

/// <summary><c>kong.client.tls</c>: the client's TLS connection (mutual TLS).
/// A view of the event's PDK, from <see cref="IKong"/>: copying it is free; it is valid only while the handler runs.</summary>
public readonly struct KongClientTls
{
    private readonly KongEvent? _handle;

    internal KongClientTls(KongEvent ev) => _handle = ev;

    /// <summary>The event's handle, through which every member reaches Kong; a default value (never obtained from
    /// <see cref="IKong"/>) has none and throws <see cref="InvalidOperationException"/>.</summary>
    private KongEvent _event => _handle ?? throw KongEvent.NotObtained(nameof(KongClientTls));

    /// <summary><c>kong.client.tls.request_client_certificate()</c>: asks the client for a certificate during the
    /// handshake; false when Kong reports an error. (The optional CA list is a cdata value Kong cannot receive
    /// over the socket.) Phases: certificate.</summary>
    [KongPhases(KongPhase.Certificate)]
    public ValueTask<bool> RequestClientCertificateAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClientTlsRequestClientCertificate, 0, PdkPhases.Certificate, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Boolean);
    }

    /// <summary><c>kong.client.tls.disable_session_reuse()</c>: prevents TLS session resumption for this
    /// connection; false on error. Phases: certificate.</summary>
    [KongPhases(KongPhase.Certificate)]
    public ValueTask<bool> DisableSessionReuseAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClientTlsDisableSessionReuse, 0, PdkPhases.Certificate, cancellationToken);
        return _event.SendCallAsync(ref writer, PdkDecoders.Boolean);
    }

    /// <summary><c>kong.client.tls.get_full_client_certificate_chain()</c>: the client's certificate chain as PEM,
    /// or null when the client sent none. Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask<string?> GetFullClientCertificateChainAsync(CancellationToken cancellationToken = default)
    {
        MessagePackWriter writer = _event.BeginCall(PdkMethods.ClientTlsGetFullClientCertificateChain, 0, PdkPhases.RewriteAccess, cancellationToken);
        return _event.SendStringOrNullCallAsync(ref writer);
    }

    /// <summary><c>kong.client.tls.set_client_verify(v)</c>: overrides <c>$ssl_client_verify</c>
    /// (<c>SUCCESS</c>, <c>NONE</c> or <c>FAILED:reason</c>). Phases: rewrite, access.</summary>
    [KongPhases(KongPhase.Rewrite, KongPhase.Access)]
    public ValueTask SetClientVerifyAsync(string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return PdkSetters.String(_event, PdkMethods.ClientTlsSetClientVerify, PdkPhases.RewriteAccess, value, cancellationToken);
    }
}
