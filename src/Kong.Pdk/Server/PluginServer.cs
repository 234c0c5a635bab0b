using System.Collections.Concurrent;
using System.Net.Sockets;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>
/// The embedded MsgPack:1 plugin server: binds the Unix socket, accepts Kong's connections, sweeps timeouts, and
/// shuts down gracefully. State (instances, events) is process-wide and shared by all connections.
/// </summary>
internal sealed class PluginServer
{
    private int _blockedHandlerThreads;
    private readonly ConcurrentDictionary<long, PluginConnection> _connections = new();
    private long _connectionCount;
    private EventLoopGroup? _loops;
    private readonly Func<long>? _clockMs;

    /// <summary>Creates a server for <paramref name="plugins"/>; nothing is bound until it runs.</summary>
    /// <param name="plugins">The plugins served.</param>
    /// <param name="options">Limits and timeouts (validated here).</param>
    /// <param name="log">Where the server's own lines go.</param>
    /// <param name="eventIdStart">The event id counter's starting point: <see cref="EventRegistry.RandomStart"/> for
    /// a served process, 0 (ids from 1) for in-process tests and the test kit.</param>
    /// <param name="clockMs">The clock of <see cref="NowMs"/> in milliseconds; null for <see cref="Environment.TickCount64"/>
    /// (tests pass one that stands still).</param>
    public PluginServer(IReadOnlyList<KongPluginDescriptor> plugins, KongServerOptions options, ServerLog log, int eventIdStart = 0, Func<long>? clockMs = null)
    {
        _clockMs = clockMs;
        Events = new EventRegistry(eventIdStart);
        options.Validate();
        if (options.Services is null)
        {
            foreach (KongPluginDescriptor plugin in plugins)
            {
                if (plugin.RequiresServices)
                {
                    throw new KongServerStartException($"the plugin '{plugin.Name}' takes services in its constructor and no service provider was given: register it with services.AddKongPlugin<T>() and run the host with RunKongPluginsAsync, or set KongServerOptions.Services (docs/dependency-injection.md)");
                }
            }
        }

        Plugins = plugins;
        Options = options;
        Log = log;
        Meters = ServerMeters.For(options.Services);
        Memory = new MemoryBudget(options.MemoryBudget);
        Instances = new InstanceRegistry(Memory);
        Dispatcher = new RequestDispatcher(this);
    }

    public IReadOnlyList<KongPluginDescriptor> Plugins { get; }

    /// <summary>
    /// Now, in milliseconds, for events only: when an event entered its state, and the sweep's now that event
    /// timeouts and eviction compare with it. <see cref="Environment.TickCount64"/> unless a clock was given.
    /// Connection, instance and event-loop stamps stay on <see cref="Environment.TickCount64"/>, and the sweep
    /// compares them with it.
    /// </summary>
    internal long NowMs => _clockMs is null ? Environment.TickCount64 : _clockMs();

    public KongServerOptions Options { get; }

    public ServerLog Log { get; }

    /// <summary>The server's meter and instruments: from the services' <c>IMeterFactory</c> when they have one.</summary>
    public ServerMeters Meters { get; }

    /// <summary>What peers make the server retain (<see cref="KongServerOptions.MemoryBudget"/>).</summary>
    public MemoryBudget Memory { get; }

    public InstanceRegistry Instances { get; }

    public EventRegistry Events { get; }

    public RequestDispatcher Dispatcher { get; }

    public int Pid { get; } = Environment.ProcessId;

    public int ConnectionCount => _connections.Count;

    /// <summary>Threads that a handler blocks past its deadline: each one's connection (in event-loop mode, each one's
    /// loop) is served by a new thread meanwhile (<see cref="ThreadedPluginConnection"/>, <see cref="EventLoop"/>);
    /// counted out when the handler returns.</summary>
    public int BlockedHandlerThreads => Volatile.Read(ref _blockedHandlerThreads);

    /// <summary>A handler blocks its thread past its deadline; returns the count including it.</summary>
    internal int HandlerThreadBlocked() => Interlocked.Increment(ref _blockedHandlerThreads);

    /// <summary>A thread counted by <see cref="HandlerThreadBlocked"/> came back from the handler; returns the count left.</summary>
    internal int HandlerThreadReleased() => Interlocked.Decrement(ref _blockedHandlerThreads);

    /// <summary>The event loops while the server runs in <see cref="KongConnectionMode.EventLoop"/>; null otherwise
    /// (also when epoll is unavailable and the server fell back to a thread per connection).</summary>
    internal EventLoopGroup? EventLoops => _loops;

    /// <summary>The connections being served (a live view, for tests and diagnostics).</summary>
    internal IEnumerable<PluginConnection> Connections => _connections.Values;

    public KongPluginDescriptor? FindPlugin(string name)
    {
        foreach (KongPluginDescriptor plugin in Plugins)
        {
            if (string.Equals(plugin.Name, name, StringComparison.Ordinal)) return plugin;
        }

        return null;
    }

    /// <summary>
    /// Binds <paramref name="socketPath"/>, taking it over atomically: the socket is bound under a temporary name in
    /// the same directory and renamed over the path, so the path always names a live socket, whether an older
    /// server still serves (<c>kong reload</c> starts the new server before it stops the old one) or left a stale
    /// socket behind. Any other kind of file at the path is never replaced.
    /// </summary>
    /// <exception cref="KongServerStartException">The path cannot be used.</exception>
    public Socket Bind(string socketPath)
    {
        string? directory;
        try
        {
            directory = Path.GetDirectoryName(Path.GetFullPath(socketPath));
            _ = new UnixDomainSocketEndPoint(socketPath); // a path too long to connect to (sun_path) cannot be served
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or NotSupportedException)
        {
            throw new KongServerStartException($"'{socketPath}' is not a usable socket path: {ex.Message}", ex);
        }

        if (directory is null || !Directory.Exists(directory))
        {
            throw new KongServerStartException($"the socket directory '{directory}' does not exist (set -kong-prefix or --socket)");
        }

        CheckDirectoryPermissions(directory);
        SocketFile.PathKind existing = SocketFile.GetKind(socketPath);
        if (existing == SocketFile.PathKind.Other)
        {
            throw new KongServerStartException($"'{socketPath}' exists and is not a socket; refusing to replace it");
        }

        RemoveLeftoverTemporaries(directory);
        string temporary = TemporaryName(directory, socketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        string step = "bind a temporary socket in its directory";
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(temporary));
            step = "set the socket's permissions";
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, Options.SocketMode);
            listener.Listen(4096);
            SocketIdentity = SocketFile.GetIdentity(temporary);
            step = existing == SocketFile.PathKind.Socket ? "replace the existing socket" : "move the socket into place";
            using SocketDirectoryLock? held = LockDirectory(directory, socketPath);
            File.Move(temporary, socketPath, overwrite: true); // rename(2): atomic, also over a live socket
        }
        catch (KongServerStartException)
        {
            listener.Dispose();
            TryDelete(temporary);
            SocketIdentity = null;
            throw;
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            listener.Dispose();
            TryDelete(temporary);
            SocketIdentity = null;
            string hint = ex is UnauthorizedAccessException || (ex is SocketException se && se.SocketErrorCode == SocketError.AccessDenied)
                ? existing == SocketFile.PathKind.Socket
                    ? " (permission denied: the existing socket may belong to another user in a directory with the sticky bit, or the directory is not writable by this user; remove it as its owner or run as Kong's user)"
                    : " (permission denied: the directory must be writable by this user)"
                : "";
            throw new KongServerStartException($"cannot listen on '{socketPath}': cannot {step}: {ex.Message}{hint}", ex);
        }

        if (existing == SocketFile.PathKind.Socket) Log.Info($"took over the socket path {socketPath} (from a previous server, running or gone)");
        return listener;
    }

    /// <summary>The largest socket path the kernel binds (<c>sun_path</c> is 108 bytes with its terminating zero).</summary>
    private const int MaxSocketPathBytes = 107;

    private static int s_bindCount;

    /// <summary>The temporary name <see cref="Bind"/> binds before the rename: <c>.&lt;pid&gt;.&lt;n&gt;.kps</c> in the
    /// socket's directory, unique per process and bind, and short (the pid lets a later server remove what a crashed
    /// one left between bind and rename).</summary>
    private static string TemporaryName(string directory, string socketPath)
    {
        string temporary = Path.Combine(directory, $".{Environment.ProcessId}.{Interlocked.Increment(ref s_bindCount)}.kps");
        int bytes = System.Text.Encoding.UTF8.GetByteCount(temporary);
        if (bytes > MaxSocketPathBytes)
        {
            throw new KongServerStartException($"cannot listen on '{socketPath}': the temporary socket name '{temporary}' is too long ({bytes} bytes, at most {MaxSocketPathBytes}): use a shorter socket directory");
        }

        return temporary;
    }

    /// <summary>Removes temporary sockets (<c>.&lt;pid&gt;.&lt;n&gt;.kps</c>) left in <paramref name="directory"/> by
    /// servers that died between bind and rename; those of live processes are left alone.</summary>
    private void RemoveLeftoverTemporaries(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            foreach (string path in Directory.EnumerateFiles(directory, ".*.kps"))
            {
                string[] parts = Path.GetFileName(path).Split('.');
                if (parts.Length != 4 || parts[0].Length != 0 || parts[3] != "kps"
                    || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
                    || !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
                    || pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")
                    || SocketFile.GetKind(path) != SocketFile.PathKind.Socket)
                {
                    continue;
                }

                File.Delete(path);
                Log.Info($"removed the temporary socket {path} left by process {pid}, which is gone");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.Debug($"cannot remove leftover temporary sockets in {directory}: {ex.Message}");
        }
    }

    /// <summary>Takes the directory lock for the rename (<see cref="SocketDirectoryLock"/>); null where none can be
    /// taken.</summary>
    private static SocketDirectoryLock? LockDirectory(string directory, string socketPath)
    {
        return SocketDirectoryLock.TryAcquire(directory, SocketDirectoryLock.Timeout, out SocketDirectoryLock? held) switch
        {
            SocketDirectoryLock.Result.TimedOut => throw new KongServerStartException($"cannot listen on '{socketPath}': another process held the lock on its directory for {(long)SocketDirectoryLock.Timeout.TotalSeconds} s"),
            _ => held,
        };
    }

    /// <summary>Runs while <see cref="TryUnlink"/> holds the directory lock, between its identity check and its
    /// delete (tests use it to race a newer server's <see cref="Bind"/> into that window).</summary>
    internal Action? BetweenCheckAndUnlink { get; set; }

    /// <summary>The device and inode of the socket <see cref="Bind"/> created; null when unknown (then the path is
    /// left alone at shutdown).</summary>
    internal SocketFile.FileIdentity? SocketIdentity { get; private set; }

    private static void TryDelete(string path)
    {
        try
        {
            if (SocketFile.GetKind(path) == SocketFile.PathKind.Socket) File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void CheckDirectoryPermissions(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            UnixFileMode mode = File.GetUnixFileMode(directory);
            if ((mode & UnixFileMode.OtherWrite) != 0 && (mode & UnixFileMode.StickyBit) == 0)
            {
                Log.Warn($"the socket directory '{directory}' is writable by every user: anyone could replace the socket; use a directory only Kong's user can write");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.Warn($"cannot read the permissions of '{directory}': {ex.Message}");
        }
    }

    /// <summary>Accepts connections on <paramref name="listener"/> until <paramref name="stopRequested"/>, then drains and returns.</summary>
    public async Task RunAsync(Socket listener, string socketPath, CancellationToken stopRequested)
    {
        using var orphaned = new CancellationTokenSource();
        using var stopSource = CancellationTokenSource.CreateLinkedTokenSource(stopRequested, orphaned.Token);
        CancellationToken stop = stopSource.Token;
        Meters.Started(this);
        using var connectionsStop = new CancellationTokenSource();
        using var sweepStop = new CancellationTokenSource();
        int parentAtStart = Options.ExitWhenOrphaned ? ParentProcess.CurrentParentId() : -1;
        StartEventLoops();
        Task sweep = SweepAsync(parentAtStart, orphaned, sweepStop.Token);
        var connectionTasks = new ConcurrentDictionary<long, Task>();
        using var backoff = new AcceptBackoff(Log);
        using var acceptStopSource = new CancellationTokenSource();
        long drainDeadline = long.MaxValue;
        Task handover = WatchHandoverAsync(socketPath, stop, acceptStopSource, deadline => drainDeadline = deadline);
        CancellationToken acceptStop = acceptStopSource.Token;
        try
        {
            while (!acceptStop.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    // Out of descriptors, or one more connection would leave too few for the runtime: the
                    // connections waiting meanwhile stay in the socket's backlog.
                    if (!backoff.MayAccept(_connections.Count))
                    {
                        await Task.Delay(backoff.NextPause(), acceptStop).ConfigureAwait(false);
                        continue;
                    }

                    accepted = await listener.AcceptAsync(acceptStop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException ex)
                {
                    // Out of file descriptors (EMFILE, ENFILE) or another transient failure: pause, boundedly, instead
                    // of spinning; the connections waiting meanwhile stay in the socket's backlog.
                    TimeSpan pause = backoff.Failed(ex, _connections.Count);
                    try
                    {
                        await Task.Delay(pause, acceptStop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    continue;
                }

                backoff.Succeeded();
                Admit(accepted, connectionTasks, connectionsStop.Token);
            }
        }
        finally
        {
            await acceptStopSource.CancelAsync().ConfigureAwait(false);
            await handover.ConfigureAwait(false);

            // Connections made before accepting stopped (or before a newer server took the path over) are served too.
            AcceptBacklog(listener, backoff, connectionTasks, connectionsStop.Token);

            // Remove the path only while it is still ours (a newer server may have taken it over), before the
            // listener is closed: while it is open, its inode cannot be reused by a newer socket. Then stop accepting.
            TryUnlink(socketPath);
            listener.Dispose();
            await DrainAsync(drainDeadline == long.MaxValue ? Environment.TickCount64 + (long)Options.ShutdownTimeout.TotalMilliseconds : drainDeadline).ConfigureAwait(false);
            await connectionsStop.CancelAsync().ConfigureAwait(false);
            foreach (PluginConnection connection in _connections.Values) connection.Abort();
            await Task.WhenAll(connectionTasks.Values).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await sweepStop.CancelAsync().ConfigureAwait(false);
            await sweep.ConfigureAwait(false);
            _loops?.Stop();
            await DisposeInstanceServicesAsync().ConfigureAwait(false);
            Meters.Stopped(this);
        }
    }

    /// <summary>At the end of a run, retires every instance still registered, so that its service scope is disposed
    /// now, or when an event that outlived the drain (a handler that ignores its cancellation) ends: never under a
    /// running handler. Waits for the disposals within the shutdown timeout (scoped services with <c>DisposeAsync</c>
    /// get their chance before the process exits).</summary>
    private async Task DisposeInstanceServicesAsync()
    {
        List<Task>? disposals = null;
        foreach (PluginInstance instance in Instances.Snapshot().ToList())
        {
            if (Instances.TryRemove(instance.Id, out PluginInstance removed) && removed.Services is { } services) (disposals ??= []).Add(services.Disposal);
        }

        if (disposals is null) return;
        try
        {
            await Task.WhenAll(disposals).WaitAsync(Options.ShutdownTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.Warn($"shutting down: the services of {disposals.Count(static t => !t.IsCompleted)} instances were not disposed after {Options.ShutdownTimeout.TotalSeconds:0.#} s (an event still runs on them, or their disposal takes its time)");
        }
    }

    /// <summary>
    /// Once <paramref name="stop"/> is requested, keeps the server accepting while the socket path still names this
    /// server's socket, so Kong never finds the path missing when it stops the old server before the new one has
    /// bound (<c>kong reload</c> starts the new server from a timer): until a newer server takes the path over or the
    /// drain deadline (<see cref="KongServerOptions.ShutdownTimeout"/>) passes. Then cancels
    /// <paramref name="acceptStop"/>.
    /// </summary>
    private async Task WatchHandoverAsync(string socketPath, CancellationToken stop, CancellationTokenSource acceptStop, Action<long> setDeadline)
    {
        using (var either = CancellationTokenSource.CreateLinkedTokenSource(stop, acceptStop.Token))
        {
            try
            {
                await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (!stop.IsCancellationRequested || acceptStop.IsCancellationRequested) return;
        long timeoutMs = (long)Options.ShutdownTimeout.TotalMilliseconds;
        long deadline = Environment.TickCount64 + timeoutMs;
        setDeadline(deadline);
        bool ours = SocketIdentity is { } own && SocketFile.GetIdentity(socketPath) == own;
        Log.Info(ours
            ? $"shutting down: accepting on {socketPath} until a newer server takes it over, for up to {timeoutMs} ms; serving {_connections.Count} open connections and {Events.Count} running events"
            : $"shutting down: serving {_connections.Count} open connections and {Events.Count} running events for up to {timeoutMs} ms");
        while (ours && Environment.TickCount64 < deadline)
        {
            try
            {
                await Task.Delay(HandoverPollInterval, acceptStop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            ours = SocketFile.GetIdentity(socketPath) == SocketIdentity;
            if (!ours) Log.Info($"shutting down: the socket path {socketPath} was taken over: no longer accepting");
        }

        await acceptStop.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>How often a draining server checks whether its socket path was taken over.</summary>
    internal static readonly TimeSpan HandoverPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>In <see cref="KongConnectionMode.EventLoop"/>: starts the loops, or says why the server falls back to a
    /// thread per connection.</summary>
    private void StartEventLoops()
    {
        if (Options.ConnectionMode != KongConnectionMode.EventLoop) return;
        int count = Options.EventLoops > 0 ? Options.EventLoops : Environment.ProcessorCount;
        _loops = EventLoopGroup.TryStart(this, count, out string? failure);
        if (_loops is null)
        {
            // Off Linux this is the documented default behaviour, not a fault: a warning at every start would be noise.
            string line = $"connection mode loop: {failure}: serving each connection on a thread of its own instead (connection mode thread)";
            if (OperatingSystem.IsLinux()) Log.Warn(line);
            else Log.Info(line);
        }
        else
        {
            Log.Debug($"connection mode loop: {count} event loops");
        }
    }

    /// <summary>Serves an accepted connection, or closes it at once past <see cref="KongServerOptions.MaxConnections"/>.</summary>
    private void Admit(Socket accepted, ConcurrentDictionary<long, Task> connectionTasks, CancellationToken connectionsStop)
    {
        long number = Interlocked.Increment(ref _connectionCount);
        if (_connections.Count >= Options.MaxConnections)
        {
            if (Meters.RejectedConnections.Enabled) Meters.RejectedConnections.Add(1);
            Log.Warn($"connection {number} refused: {_connections.Count} connections open (limit {Options.MaxConnections})");
            accepted.Dispose();
            return;
        }

        PluginConnection connection = _loops is { } loops
            ? new EventLoopConnection(this, accepted, number, loops.Assign())
            : new ThreadedPluginConnection(this, accepted, number);
        _connections[number] = connection;
        Log.Debug($"connection {number} accepted");
        connectionTasks[number] = RunConnectionAsync(connection, connectionTasks, connectionsStop);
    }

    /// <summary>Accepts, without waiting, the connections queued on the listener when the server stops (while the
    /// descriptor headroom allows).</summary>
    private void AcceptBacklog(Socket listener, AcceptBackoff backoff, ConcurrentDictionary<long, Task> connectionTasks, CancellationToken connectionsStop)
    {
        try
        {
            listener.Blocking = false;
            for (int i = 0; i < Options.MaxConnections && backoff.HasHeadroom(_connections.Count); i++)
            {
                Admit(listener.Accept(), connectionTasks, connectionsStop);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // WouldBlock: the backlog is empty.
        }
    }

    private async Task RunConnectionAsync(PluginConnection connection, ConcurrentDictionary<long, Task> tasks, CancellationToken stop)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(stop).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.Number, out _);
            tasks.TryRemove(connection.Number, out _);
            Log.Debug($"connection {connection.Number} closed");
        }
    }

    /// <summary>Serves the open connections while draining: until no event runs and every connection was closed by
    /// its peer (Kong's old workers close theirs as they exit), up to the shutdown timeout; then cancels the rest.
    /// Events in flight finish on the connections Kong keeps in its pool, also after a newer server took the path
    /// over (<c>kong reload</c>).</summary>
    private async Task DrainAsync(long deadline)
    {
        while ((Events.Count > 0 || !_connections.IsEmpty) && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        if (Events.Count > 0)
        {
            Log.Warn($"shutting down: cancelling {Events.Count} events still running");
            foreach (EventCore ev in Events.Snapshot()) ev.CancelForShutdown();
        }
    }

    /// <summary>Removes the socket path, but only while it still names the socket this server created: after a
    /// <c>kong reload</c> it names the new server's socket, which must stay.</summary>
    internal void TryUnlink(string socketPath)
    {
        try
        {
            // Under the directory lock, so that a newer server's rename cannot fall between the check and the delete.
            string? directory = Path.GetDirectoryName(Path.GetFullPath(socketPath));
            SocketDirectoryLock? held = null;
            if (directory is not null
                && SocketDirectoryLock.TryAcquire(directory, SocketDirectoryLock.Timeout, out held) == SocketDirectoryLock.Result.TimedOut)
            {
                Log.Warn($"cannot lock the directory of the socket {socketPath}: the path is left in place");
                return;
            }

            using (held)
            {
                SocketFile.FileIdentity? current = SocketFile.GetIdentity(socketPath);
                if (current is null) return;
                if (SocketIdentity is null || current != SocketIdentity)
                {
                    Log.Info($"the socket path {socketPath} now belongs to another server: left in place");
                    return;
                }

                BetweenCheckAndUnlink?.Invoke();
                File.Delete(socketPath);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.Warn($"cannot remove the socket {socketPath}: {ex.Message}");
        }
    }

    /// <summary>Checks event timeouts and collects idle instances, every <see cref="KongServerOptions.SweepInterval"/>.</summary>
    private async Task SweepAsync(int parentAtStart, CancellationTokenSource orphaned, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Options.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                Sweep();
                if (parentAtStart > 1 && !orphaned.IsCancellationRequested && ParentProcess.CurrentParentId() is var parent && parent > 0 && parent != parentAtStart)
                {
                    Log.Warn($"the parent process {parentAtStart} is gone (Kong was killed?): shutting down");
                    await orphaned.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Closes connections idle past <see cref="KongServerOptions.ConnectionIdleTimeout"/> and those whose
    /// message takes longer than <see cref="KongServerOptions.PartialMessageTimeout"/> to arrive. Closing is a
    /// socket shutdown, which never blocks; the connection's own loop then ends and disposes it.</summary>
    private void ReapConnections(long nowTicks)
    {
        long idleMs = (long)Options.ConnectionIdleTimeout.TotalMilliseconds;
        long partialMs = (long)Options.PartialMessageTimeout.TotalMilliseconds;
        foreach (PluginConnection connection in _connections.Values)
        {
            switch (connection.CheckTimeouts(nowTicks, idleMs, partialMs))
            {
                case "idle":
                    Log.Debug($"connection {connection.Number}: closing: idle for more than {idleMs} ms");
                    connection.Abort();
                    break;
                case "partial":
                    Log.Warn($"connection {connection.Number}: closing: a message took more than {partialMs} ms to arrive");
                    connection.Abort();
                    break;
            }
        }
    }

    internal void Sweep()
    {
        long eventsNow = NowMs;
        long nowTicks = Environment.TickCount64;
        long idleMs = (long)Options.EventIdleTimeout.TotalMilliseconds;
        long deadlineMs = (long)Options.HandlerDeadline.TotalMilliseconds;
        foreach (EventCore ev in Events.Snapshot())
        {
            try
            {
                ev.CheckTimeouts(eventsNow, idleMs, deadlineMs);
            }
            catch (Exception ex)
            {
                Log.Error($"event {ev.Id}: timeout check failed: {ex}");
            }
        }

        _loops?.CheckStuck(nowTicks, deadlineMs);
        ReapConnections(nowTicks);
        Instances.CollectIdle(nowTicks, (long)Options.InstanceIdleTtl.TotalMilliseconds, Log);
        Log.ReportSuppressed();
        long step = Math.Min(64L * 1024 * 1024, Options.MemoryBudget / 4);
        long before = Memory.Used;
        if (Memory.TrimAfterBurst(step, nowTicks))
        {
            Log.Debug($"memory: after a burst ({before} bytes charged now), a compacting collection gives memory back");
        }
    }
}
