using System.Net.Sockets;
using Kong.Pdk.Hosting;
using Kong.Pdk.Server;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.Tests;

/// <summary>The real <see cref="PluginServer"/> on a temporary Unix socket, for tests that play Kong.</summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly string _directory;
    private long _msgId;

    private InProcessServer(PluginServer server, string directory, string socketPath, Task run)
    {
        Server = server;
        _directory = directory;
        SocketPath = socketPath;
        Run = run;
    }

    public PluginServer Server { get; }

    public string SocketPath { get; }

    public Task Run { get; }

    public StringWriter LogOutput { get; } = new();

    /// <param name="plugin">The plugin served.</param>
    /// <param name="configure">Adjusts the options (tests use short timeouts).</param>
    /// <param name="logOutput">Where the server log goes; by default a string that <see cref="Log"/> returns.</param>
    /// <param name="clockMs">The server's clock in milliseconds (<see cref="PluginServer.NowMs"/>); null for the system's.</param>
    public static InProcessServer Start(KongPluginDescriptor plugin, Action<KongServerOptions>? configure = null, TextWriter? logOutput = null, Func<long>? clockMs = null)
    {
        var options = new KongServerOptions { SweepInterval = TimeSpan.FromMilliseconds(50), ShutdownTimeout = TimeSpan.FromMilliseconds(200) };
        configure?.Invoke(options);
        string directory = Path.Combine(Path.GetTempPath(), "kp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        string socketPath = Path.Combine(directory, plugin.Name + ".socket");
        var log = new StringWriter();
        var server = new PluginServer([plugin], options, new ServerLog(plugin.Name, KongLogLevel.Debug, logOutput ?? TextWriter.Synchronized(log)), clockMs: clockMs);
        Socket listener = server.Bind(socketPath);
        var stop = new CancellationTokenSource();
        Task run = server.RunAsync(listener, socketPath, stop.Token);
        var result = new InProcessServer(server, directory, socketPath, run);
        result._stopSource = stop;
        result._log = log;
        return result;
    }

    private CancellationTokenSource? _stopSource;
    private StringWriter? _log;

    public string Log
    {
        get
        {
            Server.Log.Flush(TimeSpan.FromSeconds(10));
            return _log?.ToString() ?? "";
        }
    }

    public long NextMsgId() => Interlocked.Increment(ref _msgId);

    public Task<KongConnection> ConnectAsync() => KongConnection.ConnectAsync(SocketPath);

    /// <summary>StartInstance with the given config JSON; returns the instance id.</summary>
    public async Task<long> StartInstanceAsync(KongConnection connection, string name, string config = """{"__seq__":7}""")
    {
        RpcAnswer answer = await connection.CallAsync(NextMsgId(), "plugin.StartInstance", Mp.Map("Name", name, "Config", config));
        Assert.Null(answer.Error);
        return (long)answer.Map["Id"]!;
    }

    public Task<RpcAnswer> HandleEventAsync(KongConnection connection, long instanceId, string phase)
        => connection.CallAsync(NextMsgId(), "plugin.HandleEvent", Mp.Map("InstanceId", instanceId, "EventName", phase));

    public Task<RpcAnswer> StepAsync(KongConnection connection, long eventId, object? data, bool hasData = true, string method = "plugin.Step")
        => connection.CallAsync(NextMsgId(), method, hasData ? Mp.Map("EventId", eventId, "Data", data) : Mp.Map("EventId", eventId));

    public async ValueTask DisposeAsync()
    {
        _stopSource?.Cancel();
        try
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            _stop.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
