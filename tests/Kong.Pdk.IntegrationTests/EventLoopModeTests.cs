using Kong.Pdk.TestSupport;

namespace Kong.Pdk.IntegrationTests;

/// <summary>
/// Issue 13 item 1: HelloPlugin in <c>-connection-mode loop</c> serves many of Kong's connections with a bounded
/// number of threads (the event loops, one per core, plus the runtime's own), where thread mode needs one per
/// connection.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class EventLoopModeTests
{
    [Fact]
    public async Task TwoHundredConnections_EachServesAnEvent_ThreadsStayBounded()
    {
        if (!OperatingSystem.IsLinux()) return; // threads are counted in /proc; the mode itself is Linux-only
        const int connections = 200;
        using var dir = new TempDir();
        await using PluginProcess plugin = PluginProcess.Start("-kong-prefix", dir.Path, "-connection-mode", "loop", "-log-level", "warn");
        await plugin.WaitServingAsync(dir.SocketPath);
        long msgId = 0;
        long Next() => Interlocked.Increment(ref msgId);
        var open = new List<KongConnection>();
        try
        {
            for (int i = 0; i < connections; i++) open.Add(await KongConnection.ConnectAsync(dir.SocketPath));
            RpcAnswer started = await open[0].CallAsync(Next(), "plugin.StartInstance", Mp.Map("Name", "hello-dotnet", "Config", """{"message":"hi","__seq__":7}"""));
            Assert.Null(started.Error);

            // Every connection has an event in flight at once (HandleEvent answered, steps still to come), then each
            // finishes its event; all 200 connections stay open throughout.
            RpcAnswer[] calls = await Task.WhenAll(open.Select(kong => kong.CallAsync(Next(), "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"))))
                .WaitAsync(TimeSpan.FromSeconds(60));
            Assert.All(calls, call => Assert.Equal("kong.request.get_header", call.CallMethod));
            await Task.WhenAll(open.Select(async (kong, n) =>
            {
                RpcAnswer set = await kong.CallAsync(Next(), "plugin.Step", Mp.Map("EventId", calls[n].EventId, "Data", $"host{n}"));
                Assert.Equal(new object?[] { "x-hello-from-dotnet", $"Dotnet says hi to host{n}" }, set.CallArgs);
                Assert.Equal("ret", (await kong.CallAsync(Next(), "plugin.Step", Mp.Map("EventId", calls[n].EventId))).Data);
            })).WaitAsync(TimeSpan.FromSeconds(60));

            int threads = Directory.GetDirectories($"/proc/{plugin.Pid}/task").Length;
            int bound = 2 * Environment.ProcessorCount + 16;
            Assert.True(threads <= bound, $"{threads} threads serve {connections} connections (bound {bound}); thread mode would need one per connection");
        }
        finally
        {
            foreach (KongConnection kong in open) await kong.DisposeAsync();
        }

        Assert.False(plugin.HasExited, plugin.Stderr);
        Assert.DoesNotContain("thread of its own instead", plugin.Stderr, StringComparison.Ordinal); // no fallback
    }
}
