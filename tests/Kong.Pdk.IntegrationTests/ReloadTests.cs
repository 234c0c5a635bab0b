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
        await old.WaitForStderrAsync("shutting down");

        // The old server drains: its events finish on the connections they run on, and a pooled connection still
        // carries new events until Kong's old worker closes it.
        foreach ((KongConnection connection, long eventId, int n) in inFlight)
        {
            RpcAnswer set = await StepAsync(connection, eventId, $"old{n}.example.com");
            Assert.Equal("kong.response.set_header", set.CallMethod);
            Assert.Equal(new object?[] { "x-hello-from-dotnet", $"Dotnet says hi to old{n}.example.com" }, set.CallArgs);
            Assert.Equal("ret", (await StepAsync(connection, eventId, null, hasData: false)).Data);
            if (n == 0) await OneRequestOnAsync(connection, 1000);
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

    /// <summary>Review D2: Kong's timer may start the new server only after the old one got SIGTERM. Meanwhile the
    /// old server keeps the path and serves new connections and new events on pooled ones; once the new server takes
    /// the path over, the old one stops accepting, drains and leaves the path in place.</summary>
    [Fact]
    public async Task SigtermOfTheOldServerFirst_ThenTheNewOneStarts_NoConnectionFails()
    {
        using var dir = new TempDir();
        await using PluginProcess old = PluginProcess.Start("-kong-prefix", dir.Path, "-shutdown-timeout", "60");
        await old.WaitServingAsync(dir.SocketPath);
        KongConnection pooled = await KongConnection.ConnectAsync(dir.SocketPath);
        await OneRequestOnAsync(pooled, 1);

        old.SendSigterm();
        await old.WaitForStderrAsync("shutting down");

        // Before the new server binds: a new connection (new request) and a new event on a pooled connection work.
        Assert.Equal(old.Pid, await OneRequestAsync(dir.SocketPath, 2));
        await OneRequestOnAsync(pooled, 3);
        Assert.Equal(old.Pid, pooled.ServerPid);

        await using PluginProcess replacement = PluginProcess.Start("-kong-prefix", dir.Path);
        await replacement.WaitServingAsync(dir.SocketPath);
        Assert.Equal(replacement.Pid, await OneRequestAsync(dir.SocketPath, 4));
        await OneRequestOnAsync(pooled, 5); // the old server still serves its pooled connection
        await pooled.DisposeAsync();        // Kong's old worker exits: the old server has nothing left to serve

        Assert.Equal(0, await old.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("was taken over", old.Stderr);
        Assert.Contains("left in place", old.Stderr);
        Assert.Equal(replacement.Pid, await OneRequestAsync(dir.SocketPath, 6));
        replacement.SendSigterm();
        Assert.Equal(0, await replacement.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
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

    /// <summary>One request on an open (pooled) connection.</summary>
    private async Task OneRequestOnAsync(KongConnection connection, int n)
    {
        RpcAnswer call = await HandleEventAsync(connection);
        Assert.Equal("kong.request.get_header", call.CallMethod);
        RpcAnswer set = await StepAsync(connection, call.EventId, $"pool{n}.example.com");
        Assert.Equal(new object?[] { "x-hello-from-dotnet", $"Dotnet says hi to pool{n}.example.com" }, set.CallArgs);
        Assert.Equal("ret", (await StepAsync(connection, call.EventId, null, hasData: false)).Data);
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
