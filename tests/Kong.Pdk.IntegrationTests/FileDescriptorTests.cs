using System.Globalization;
using System.Net.Sockets;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.IntegrationTests;

/// <summary>
/// Issue 9 item 2: the server runs out of file descriptors (an open-file limit below -max-connections). It must
/// not spin on accept, must keep serving its open connections, and must accept again once descriptors are free.
/// The server process runs under <c>prlimit --nofile</c>.
/// </summary>
[Collection(SerialProcesses.Name)]
public sealed class FileDescriptorTests
{
    private const int Limit = 256;
    private long _msgId;

    // The JIT host aborted ("Out of memory.", exit 134) in about 1 run of 7 when accept took the last descriptor: a
    // thread starting meanwhile (a connection's thread, a thread-pool thread) opens two descriptors for a moment and
    // could not. Now the server stops accepting while one more connection would leave fewer than 64 free, so accept
    // itself never runs into EMFILE here.
    [Fact]
    public Task OutOfFileDescriptors_AcceptBacksOff_OpenConnectionsKeepWorking_RecoversWhenFdsAreFree()
        => OutOfFileDescriptorsAsync(native: null);

    /// <summary>The same with the NativeAOT build (the issue saw it spin on accept at 90–99 % of a core); it does not
    /// raise its own soft limit past a hard limit of <see cref="Limit"/> either.</summary>
    [NativeAotFact]
    public Task OutOfFileDescriptors_NativeAot_AcceptBacksOff_OpenConnectionsKeepWorking_RecoversWhenFdsAreFree()
        => OutOfFileDescriptorsAsync(NativeAotFactAttribute.Executable);

    private async Task OutOfFileDescriptorsAsync(string? native)
    {
        using var dir = new TempDir();
        string[] launcher = ["prlimit", $"--nofile={Limit}:{Limit}"];
        await using PluginProcess plugin = native is null
            ? PluginProcess.StartUnder(launcher, "-kong-prefix", dir.Path, "-max-connections", "1000")
            : PluginProcess.StartNative(native, launcher, "-kong-prefix", dir.Path, "-max-connections", "1000");
        await plugin.WaitServingAsync(dir.SocketPath);
        Assert.Contains("-max-connections 1000 is above what the open-file limit allows", plugin.Stderr);

        await using KongConnection kong = await KongConnection.ConnectAsync(dir.SocketPath);
        Assert.Equal("Dotnet says hello to warm", await OneRequestAsync(kong, "warm"));

        // More connections than descriptors: the server takes what it can, the rest wait in the backlog.
        var crowd = new List<Socket>();
        try
        {
            for (int i = 0; i < Limit + 40; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                crowd.Add(socket);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(dir.SocketPath));
            }

            await WaitForAsync(() => plugin.Stderr.Contains("out of file descriptors", StringComparison.Ordinal), plugin);
            Assert.Contains("kept free for the runtime", plugin.Stderr);
            Assert.DoesNotContain("Too many open files", plugin.Stderr);

            // No spinning: while out of descriptors, the server uses well under half a core.
            double cpuBefore = CpuSeconds(plugin.Pid);
            long wallBefore = Environment.TickCount64;
            await Task.Delay(2000);
            double cpu = CpuSeconds(plugin.Pid) - cpuBefore;
            double wall = (Environment.TickCount64 - wallBefore) / 1000.0;
            Assert.True(cpu < wall * 0.4, $"the server used {cpu:0.00} s of CPU in {wall:0.00} s while out of descriptors");

            // The open connection keeps working.
            Assert.Equal("Dotnet says hello to busy", await OneRequestAsync(kong, "busy"));

            // No recovery while the descriptors are still taken (each retry would give the reserve back at once).
            Assert.DoesNotContain("accepting again", plugin.Stderr);
        }
        finally
        {
            foreach (Socket socket in crowd) socket.Dispose();
        }

        // Descriptors come back: new connections are served again.
        await WaitForAsync(() => plugin.Stderr.Contains("accepting again", StringComparison.Ordinal), plugin);
        await using KongConnection fresh = await ConnectOrExplainAsync(dir.SocketPath, plugin);
        Assert.Equal(plugin.Pid, fresh.ServerPid);
        Assert.Equal("Dotnet says hello to again", await OneRequestAsync(fresh, "again"));
        Assert.False(plugin.HasExited);
        Assert.Equal(1, CountOccurrences(plugin.Stderr, "out of file descriptors"));

        // The pause grew while descriptors were out: from 10 ms doubling to 1 s, so a few attempts a second at most
        // (retrying every 10 ms would be a hundred a second).
        System.Text.RegularExpressions.Match recovered = System.Text.RegularExpressions.Regex.Match(plugin.Stderr, @"free again after (\d+) ms and (\d+) attempts");
        Assert.True(recovered.Success, plugin.Stderr);
        long ms = long.Parse(recovered.Groups[1].Value, CultureInfo.InvariantCulture);
        long attempts = long.Parse(recovered.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(attempts <= 10 + (ms / 1000) + 2, $"{attempts} accept attempts in {ms} ms out of descriptors");
    }

    private async Task<string> OneRequestAsync(KongConnection kong, string host)
    {
        RpcAnswer call = await kong.CallAsync(Interlocked.Increment(ref _msgId), "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"));
        if (call.Error is "no plugin instance 7")
        {
            Assert.Null((await kong.CallAsync(Interlocked.Increment(ref _msgId), "plugin.StartInstance", Mp.Map("Name", "hello-dotnet", "Config", """{"__seq__":7}"""))).Error);
            call = await kong.CallAsync(Interlocked.Increment(ref _msgId), "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"));
        }

        RpcAnswer set = await kong.CallAsync(Interlocked.Increment(ref _msgId), "plugin.Step", Mp.Map("EventId", call.EventId, "Data", host));
        Assert.Equal("ret", (await kong.CallAsync(Interlocked.Increment(ref _msgId), "plugin.Step", Mp.Map("EventId", call.EventId))).Data);
        return (string)set.CallArgs[1]!;
    }

    private static async Task<KongConnection> ConnectOrExplainAsync(string path, PluginProcess plugin)
    {
        try
        {
            return await KongConnection.ConnectAsync(path, TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or EndOfStreamException)
        {
            throw new InvalidOperationException($"not served after the descriptors came back: {plugin.Stderr}", ex);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, PluginProcess plugin)
    {
        long deadline = Environment.TickCount64 + 30_000;
        while (!condition())
        {
            if (plugin.HasExited) throw new InvalidOperationException($"the plugin exited with {plugin.ExitCode}: {plugin.Stderr}");
            if (Environment.TickCount64 > deadline) throw new TimeoutException(plugin.Stderr);
            await Task.Delay(20);
        }
    }

    /// <summary>User plus system CPU time of a process, from /proc/&lt;pid&gt;/stat (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int CountOccurrences(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
