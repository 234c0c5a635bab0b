namespace Kong.Pdk.Hosting;

/// <summary>
/// Limits and timeouts of the embedded plugin server. The defaults suit Kong's own timeouts (60 s per socket
/// read); see docs/operations.md. Every value can also be set on the command line.
/// </summary>
public sealed class KongServerOptions
{
    /// <summary>Largest message accepted from Kong, in bytes; a larger one closes its connection. Default 16 MiB
    /// (request bodies read with <c>GetRawBodyAsync</c> travel in one message).</summary>
    public int MaxMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Deepest nesting of arrays and maps accepted in a message; deeper closes the connection. Default 64.</summary>
    public int MaxNestingDepth { get; set; } = 64;

    /// <summary>
    /// Total bytes that peers may make the server retain: the configurations of live instances, step data held by
    /// running events, and messages being received (past 64 KiB per connection). A StartInstance past it is answered
    /// with an error, a step's data past it fails the pending PDK call (the plugin's failure policy applies), and a
    /// message past it closes its connection. At least <see cref="MaxMessageSize"/>. Default 512 MiB.
    /// </summary>
    public long MemoryBudget { get; set; } = 512L * 1024 * 1024;

    /// <summary>Most connections served at once; more are closed as soon as they are accepted. Default 4096.</summary>
    public int MaxConnections { get; set; } = 4096;

    /// <summary>Most events (running phase handlers) at once. At the limit, the oldest events waiting for a step on
    /// the connection that holds the most such events are abandoned to make room; only when no event waits for a
    /// step is a new one answered with an error (which Kong treats as fail-open). Default 10000.</summary>
    public int MaxEventsInFlight { get; set; } = 10_000;

    /// <summary>
    /// Most events waiting for a step whose last call went out on one connection. Kong sends at most one request at a
    /// time per connection and steps an event as soon as its PDK call returns, so a connection with many events
    /// that never step is a peer gone wrong: past this limit, its own oldest waiting events are abandoned to make
    /// room, and other connections are not affected. Default 1000.
    /// </summary>
    public int MaxEventsPerConnection { get; set; } = 1_000;

    /// <summary>
    /// How long an event may wait for Kong's next <c>plugin.Step</c>. Kong abandons events without notice (a PDK
    /// call that raised a Lua error, a client that went away, a worker exit); after this time the handler's
    /// <see cref="CancellationToken"/> is cancelled and the event is freed. Default 90 s, above Kong's 60 s read timeout.
    /// </summary>
    public TimeSpan EventIdleTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// How long a handler may compute before it must produce its next PDK call or finish. When it passes, the
    /// handler's token is cancelled and the event ends with the plugin's failure policy. Default 30 s.
    /// </summary>
    public TimeSpan HandlerDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A connection with nothing in progress (no request being received, handled or answered) for this long is
    /// closed. Kong closes the idle connections of its pool after <c>lua_socket_keepalive_timeout</c> (60 s by
    /// default), so with a longer value Kong always closes first and a connection it may still borrow is never cut
    /// under it; only connections a peer forgot are reaped. Default 75 s.
    /// </summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>
    /// How long a message may take to arrive, from its first byte to its last; past it the connection is closed
    /// (a peer that trickles a message, slowloris). Kong writes each request with one send, which a Unix socket
    /// delivers in milliseconds even at the maximum message size. Default 30 s.
    /// </summary>
    public TimeSpan PartialMessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An instance that saw no event for this long, and has none running, is collected. Default 10 minutes.</summary>
    public TimeSpan InstanceIdleTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>On SIGTERM/SIGINT, how long the server may go on serving before it exits anyway: it accepts while the
    /// socket path is still its own (until a newer server takes it over) and lets running events finish. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often timeouts and the instance TTL are checked. Default 1 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When true, error strings sent to Kong for plugin failures include the exception type and message
    /// only; stack traces always go to stderr only. Default true.</summary>
    public bool HideExceptionDetails { get; set; } = true;

    /// <summary>
    /// When true (the default), the server shuts down once it is orphaned: its parent (Kong's worker, for a server
    /// started by <c>start_cmd</c>) died and it was re-parented (to pid 1 or a subreaper). Only applies when the parent
    /// was not pid 1 at start, so servers run by a supervisor or as a container's main process are unaffected.
    /// </summary>
    public bool ExitWhenOrphaned { get; set; } = true;

    /// <summary>How each connection is served: event loops with epoll (the default on Linux; a bounded number of threads
    /// at any connection count) or a thread per connection. See <see cref="KongConnectionMode"/>.</summary>
    public KongConnectionMode ConnectionMode { get; set; } = KongConnectionMode.EventLoop;

    /// <summary>How many event-loop threads serve the connections in <see cref="KongConnectionMode.EventLoop"/>; 0 (the
    /// default) means one per processor (<see cref="Environment.ProcessorCount"/>).</summary>
    public int EventLoops { get; set; }

    /// <summary>
    /// When true, each event's span (<see cref="KongDiagnostics.ActivitySourceName"/>) continues the client's W3C
    /// trace: the server reads the request's <c>traceparent</c> header before the handler runs, in the phases where
    /// Kong serves it (rewrite, access, response, log). That read is one more PDK round trip per event, made only
    /// while a listener (an OpenTelemetry tracer provider) is attached to the source. Default false.
    /// </summary>
    public bool ContinueRequestTrace { get; set; }

    /// <summary>When true, every PDK call of a traced event gets a child span named after the call
    /// (<c>kong.request.get_header</c>, ...). Default false: the event span and the
    /// <c>kong.pdk.call.duration</c> histogram are usually enough.</summary>
    public bool TracePdkCalls { get; set; }

    /// <summary>Lowest level written to stderr. Default <see cref="KongLogLevel.Info"/>.</summary>
    public KongLogLevel LogLevel { get; set; } = KongLogLevel.Info;

    /// <summary>With <see cref="Services"/> that hold an <c>ILoggerFactory</c>: whether the server's own lines go
    /// through it (<see cref="KongLogFormat.Logger"/>, the default) or stay in Kong's stderr line format
    /// (<see cref="KongLogFormat.Kong"/>, <c>-log-format kong</c>).</summary>
    public KongLogFormat LogFormat { get; set; } = KongLogFormat.Logger;

    /// <summary>Unix permission bits of the socket file. Default owner and group read/write (0660).</summary>
    public UnixFileMode SocketMode { get; set; } =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>
    /// The application's services (not a command-line setting). When set, every instance gets its own scope of it,
    /// created at <c>plugin.StartInstance</c> and disposed once the instance is closed, replaced or collected and its
    /// last event ended; the plugin's constructor parameters are resolved from that scope, which also answers
    /// <see cref="KongInstanceInfo"/>. When it holds an <c>ILoggerFactory</c>, the server's own lines go through it
    /// (category <c>Kong.Pdk.Server</c>) instead of stderr, unless <see cref="LogFormat"/> is <see cref="KongLogFormat.Kong"/>. See docs/dependency-injection.md. Default none.
    /// </summary>
    public IServiceProvider? Services { get; set; }

    internal void Validate()
    {
        if (MaxMessageSize < 64) throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, "must be at least 64 bytes");
        if (MemoryBudget < MaxMessageSize) throw new ArgumentOutOfRangeException(nameof(MemoryBudget), MemoryBudget, "must be at least the maximum message size");
        if (MaxNestingDepth is < 4 or > Protocol.RpcFramer.MaxSupportedDepth) throw new ArgumentOutOfRangeException(nameof(MaxNestingDepth), MaxNestingDepth, "must be between 4 and 256");
        if (MaxConnections < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "must be positive");
        if (MaxEventsInFlight < 1) throw new ArgumentOutOfRangeException(nameof(MaxEventsInFlight), MaxEventsInFlight, "must be positive");
        if (MaxEventsPerConnection < 1) throw new ArgumentOutOfRangeException(nameof(MaxEventsPerConnection), MaxEventsPerConnection, "must be positive");
        if (EventIdleTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(EventIdleTimeout), EventIdleTimeout, "must be positive");
        if (HandlerDeadline <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HandlerDeadline), HandlerDeadline, "must be positive");
        if (ConnectionIdleTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ConnectionIdleTimeout), ConnectionIdleTimeout, "must be positive");
        if (PartialMessageTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PartialMessageTimeout), PartialMessageTimeout, "must be positive");
        if (InstanceIdleTtl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(InstanceIdleTtl), InstanceIdleTtl, "must be positive");
        if (ConnectionMode is not (KongConnectionMode.EventLoop or KongConnectionMode.Thread)) throw new ArgumentOutOfRangeException(nameof(ConnectionMode), ConnectionMode, "must be EventLoop or Thread");
        if (EventLoops is < 0 or > 1024) throw new ArgumentOutOfRangeException(nameof(EventLoops), EventLoops, "must be between 0 (one per processor) and 1024");
        if (SweepInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(SweepInterval), SweepInterval, "must be positive");
    }
}
