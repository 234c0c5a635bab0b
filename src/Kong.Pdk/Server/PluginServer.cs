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
    private readonly ConcurrentDictionary<long, PluginConnection> _connections = new();
    private long _connectionCount;

    public PluginServer(IReadOnlyList<KongPluginDescriptor> plugins, KongServerOptions options, ServerLog log)
    {
        options.Validate();
        Plugins = plugins;
        Options = options;
        Log = log;
        Memory = new MemoryBudget(options.MemoryBudget);
        Instances = new InstanceRegistry(Memory);
        Dispatcher = new RequestDispatcher(this);
    }

    public IReadOnlyList<KongPluginDescriptor> Plugins { get; }

    public KongServerOptions Options { get; }

    public ServerLog Log { get; }

    /// <summary>What peers make the server retain (<see cref="KongServerOptions.MemoryBudget"/>).</summary>
    public MemoryBudget Memory { get; }

    public InstanceRegistry Instances { get; }

    public EventRegistry Events { get; } = new();

    public RequestDispatcher Dispatcher { get; }

    public int Pid { get; } = Environment.ProcessId;

    public int ConnectionCount => _connections.Count;

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

    /// <summary>Binds <paramref name="socketPath"/> (replacing a stale socket, never another kind of file).</summary>
    /// <exception cref="KongServerStartException">The path cannot be used.</exception>
    public Socket Bind(string socketPath)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(socketPath));
        if (directory is null || !Directory.Exists(directory))
        {
            throw new KongServerStartException($"the socket directory '{directory}' does not exist (set -kong-prefix or --socket)");
        }

        CheckDirectoryPermissions(directory);
        switch (SocketFile.GetKind(socketPath))
        {
            case SocketFile.PathKind.Socket:
                Log.Info($"removing the stale socket {socketPath}");
                File.Delete(socketPath);
                break;
            case SocketFile.PathKind.Other:
                throw new KongServerStartException($"'{socketPath}' exists and is not a socket; refusing to replace it");
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(socketPath, Options.SocketMode);
            listener.Listen(4096);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            listener.Dispose();
            throw new KongServerStartException($"cannot listen on '{socketPath}': {ex.Message}", ex);
        }

        return listener;
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
        using var connectionsStop = new CancellationTokenSource();
        using var sweepStop = new CancellationTokenSource();
        int parentAtStart = Options.ExitWhenOrphaned ? ParentProcess.CurrentParentId() : -1;
        Task sweep = SweepAsync(parentAtStart, orphaned, sweepStop.Token);
        var connectionTasks = new ConcurrentDictionary<long, Task>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    accepted = await listener.AcceptAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException ex)
                {
                    Log.Warn($"accept failed: {ex.Message}");
                    continue;
                }

                long number = Interlocked.Increment(ref _connectionCount);
                if (_connections.Count >= Options.MaxConnections)
                {
                    Log.Warn($"connection {number} refused: {_connections.Count} connections open (limit {Options.MaxConnections})");
                    accepted.Dispose();
                    continue;
                }

                PluginConnection connection = Options.ConnectionMode == KongConnectionMode.Async
                    ? new PipePluginConnection(this, accepted, number)
                    : new ThreadedPluginConnection(this, accepted, number);
                _connections[number] = connection;
                Log.Debug($"connection {number} accepted");
                connectionTasks[number] = RunConnectionAsync(connection, connectionTasks, connectionsStop.Token);
            }
        }
        finally
        {
            // Stop accepting and unlink first, so that a replacement server can bind at once.
            listener.Dispose();
            TryUnlink(socketPath);
            await DrainAsync().ConfigureAwait(false);
            await connectionsStop.CancelAsync().ConfigureAwait(false);
            foreach (PluginConnection connection in _connections.Values) connection.Abort();
            await Task.WhenAll(connectionTasks.Values).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await sweepStop.CancelAsync().ConfigureAwait(false);
            await sweep.ConfigureAwait(false);
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

    /// <summary>Lets running events finish, up to the shutdown timeout, then cancels the rest.</summary>
    private async Task DrainAsync()
    {
        long deadline = Environment.TickCount64 + (long)Options.ShutdownTimeout.TotalMilliseconds;
        if (Events.Count > 0) Log.Info($"shutting down: waiting for {Events.Count} running events");
        while (Events.Count > 0 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        if (Events.Count > 0)
        {
            Log.Warn($"shutting down: cancelling {Events.Count} events still running");
            foreach (KongEvent ev in Events.Snapshot()) ev.CancelForShutdown();
        }
    }

    private void TryUnlink(string socketPath)
    {
        try
        {
            if (SocketFile.GetKind(socketPath) == SocketFile.PathKind.Socket) File.Delete(socketPath);
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
                Sweep(Environment.TickCount64);
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

    internal void Sweep(long nowTicks)
    {
        long idleMs = (long)Options.EventIdleTimeout.TotalMilliseconds;
        long deadlineMs = (long)Options.HandlerDeadline.TotalMilliseconds;
        foreach (KongEvent ev in Events.Snapshot())
        {
            try
            {
                ev.CheckTimeouts(nowTicks, idleMs, deadlineMs);
            }
            catch (Exception ex)
            {
                Log.Error($"event {ev.Id}: timeout check failed: {ex}");
            }
        }

        Instances.CollectIdle(nowTicks, (long)Options.InstanceIdleTtl.TotalMilliseconds, Log);
        Log.ReportSuppressed();
        Memory.TrimAfterBurst(Math.Min(64L * 1024 * 1024, Options.MemoryBudget / 4));
    }
}
