using System.Collections.Concurrent;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.IntegrationTests;

/// <summary>
/// Issue 9 item 1: <c>kong reload</c>. Kong's new worker 0 starts a new plugin server with the same socket path
/// while the old one still runs; only later does the old worker 0 exit and SIGTERM the old server
/// (kong/init.lua, kong/runloop/plugin_servers/process.lua). Both servers are the real HelloPlugin executable.
/// </summary>
[Collection("processes")]
public sealed class ReloadTests
{
    private const string Config = """{"message":"hi","__seq__":7}""";
    private long _msgId;

    [Fact]
    public async Task KongReload_NewServerTakesThePathOver_OldOneFinishesItsEvents_NoRequestFails()
    {
        using var dir = new TempDir();
        await using PluginProcess old = PluginProcess.Start("-kong-prefix", dir.Path);
        await old.WaitServingAsync(dir.SocketPath);

        // Events in flight on the old server: HandleEvent answered with a PDK call, the steps still to come on the
        // connections Kong keeps in its pool.
        var inFlight = new List<(KongConnection Connection, long EventId, int N)>();
        for (int n = 0; n < 8; n++)
        {
            KongConnection connection = await KongConnection.ConnectAsync(dir.SocketPath);
            Assert.Equal(old.Pid, connection.ServerPid);
            RpcAnswer call = await HandleEventAsync(connection);
            Assert.Equal("kong.request.get_header", call.CallMethod);
            inFlight.Add((connection, call.EventId, n));
        }

        // Kong's traffic goes on during the whole reload: a new connection per request.
        using var stopLoad = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var servedBy = new ConcurrentDictionary<long, int>();
        Task load = Task.Run(async () =>
        {
            for (int n = 100; !stopLoad.IsCancellationRequested; n++)
            {
                try
                {
                    long pid = await OneRequestAsync(dir.SocketPath, n);
                    servedBy.AddOrUpdate(pid, 1, static (_, count) => count + 1);
                }
                catch (Exception ex)
                {
                    failures.Enqueue($"{ex.GetType().Name}: {ex.Message}");
                }
            }
        });

        await using PluginProcess replacement = PluginProcess.Start("-kong-prefix", dir.Path);
        await replacement.WaitServingAsync(dir.SocketPath);
        old.SendSigterm();

        // The old server drains: its events finish on the connections they run on.
        foreach ((KongConnection connection, long eventId, int n) in inFlight)
        {
            RpcAnswer set = await StepAsync(connection, eventId, $"old{n}.example.com");
            Assert.Equal("kong.response.set_header", set.CallMethod);
            Assert.Equal(new object?[] { "x-hello-from-dotnet", $"Dotnet says hi to old{n}.example.com" }, set.CallArgs);
            Assert.Equal("ret", (await StepAsync(connection, eventId, null, hasData: false)).Data);
            await connection.DisposeAsync();
        }

        Assert.Equal(0, await old.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        // The new server is still reachable once the old one is gone.
        int servedByNewAtExit = servedBy.GetValueOrDefault(replacement.Pid);
        long deadline = Environment.TickCount64 + 30_000;
        while (servedBy.GetValueOrDefault(replacement.Pid) < servedByNewAtExit + 20 && failures.IsEmpty && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20);
        }

        await stopLoad.CancelAsync();
        await load.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(failures);
        Assert.True(servedBy.GetValueOrDefault(replacement.Pid) >= servedByNewAtExit + 20, "the new server stopped serving after the old one exited");
        Assert.Contains("left in place", old.Stderr);
        Assert.Contains("took over the socket path", replacement.Stderr);

        // The new server, stopped in turn, removes its own socket.
        replacement.SendSigterm();
        Assert.Equal(0, await replacement.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(File.Exists(dir.SocketPath));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path)); // no temporary name left behind
    }

    [Fact]
    public async Task SigtermOfAServerWhosePathWasTakenOver_LeavesThePath_SecondTakeoverOfALiveServerWorks()
    {
        using var dir = new TempDir();
        await using PluginProcess first = PluginProcess.Start("-kong-prefix", dir.Path);
        await first.WaitServingAsync(dir.SocketPath);
        await using PluginProcess second = PluginProcess.Start("-kong-prefix", dir.Path);
        await second.WaitServingAsync(dir.SocketPath);
        await using PluginProcess third = PluginProcess.Start("-kong-prefix", dir.Path);
        await third.WaitServingAsync(dir.SocketPath);

        second.SendSigterm();
        first.SendSigterm();
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await third.WaitServingAsync(dir.SocketPath, TimeSpan.FromSeconds(5));
        Assert.Equal([Path.GetFileName(dir.SocketPath)], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    /// <summary>One request as Kong makes it: HandleEvent (StartInstance first when the server does not know the
    /// instance), then the steps, on a new connection; returns the pid of the server that served it.</summary>
    private async Task<long> OneRequestAsync(string socketPath, int n)
    {
        await using KongConnection connection = await KongConnection.ConnectAsync(socketPath);
        RpcAnswer call = await HandleEventAsync(connection);
        Assert.Equal("kong.request.get_header", call.CallMethod);
        RpcAnswer set = await StepAsync(connection, call.EventId, $"host{n}.example.com");
        Assert.Equal(new object?[] { "x-hello-from-dotnet", $"Dotnet says hi to host{n}.example.com" }, set.CallArgs);
        Assert.Equal("ret", (await StepAsync(connection, call.EventId, null, hasData: false)).Data);
        return connection.ServerPid;
    }

    private async Task<RpcAnswer> HandleEventAsync(KongConnection connection)
    {
        RpcAnswer answer = await connection.CallAsync(Interlocked.Increment(ref _msgId), "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"));
        if (answer.Error is "no plugin instance 7")
        {
            // What Kong does: start the instance on this server, then send the event again.
            RpcAnswer started = await connection.CallAsync(Interlocked.Increment(ref _msgId), "plugin.StartInstance", Mp.Map("Name", "hello-dotnet", "Config", Config));
            Assert.Null(started.Error);
            answer = await connection.CallAsync(Interlocked.Increment(ref _msgId), "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"));
        }

        Assert.Null(answer.Error);
        return answer;
    }

    private Task<RpcAnswer> StepAsync(KongConnection connection, long eventId, object? data, bool hasData = true)
        => connection.CallAsync(Interlocked.Increment(ref _msgId), "plugin.Step", hasData ? Mp.Map("EventId", eventId, "Data", data) : Mp.Map("EventId", eventId));
}
