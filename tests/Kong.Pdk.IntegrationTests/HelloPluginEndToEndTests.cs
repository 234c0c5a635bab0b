using System.Net.Sockets;
using System.Text.Json;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.IntegrationTests;

/// <summary>
/// Starts the built samples/HelloPlugin executable as Kong does (start_cmd with -kong-prefix, query_cmd -dump) and
/// plays Kong over its real socket: a new connection per call, steps of one event on different connections.
/// Checklist numbers refer to kong-protocol.md §10.
/// </summary>
[Collection("processes")]
public sealed class HelloPluginEndToEndTests
{
    [Fact]
    public async Task Item01_02_03_Dump_IsOneJsonDocument_OnStdout_ByteIdentical_NoSocket()
    {
        using var dir = new TempDir();
        var (code, stdout, _) = await PluginProcess.RunAsync("-dump", "-kong-prefix", dir.Path);
        var (code2, stdout2, _) = await PluginProcess.RunAsync("-dump");
        Assert.Equal(0, code);
        Assert.Equal(0, code2);
        Assert.Equal(stdout, stdout2);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        using JsonDocument dump = JsonDocument.Parse(stdout);
        JsonElement root = dump.RootElement;
        Assert.Equal("MsgPack:1", root.GetProperty("Protocol").GetString());
        JsonElement plugin = Assert.Single(root.GetProperty("Plugins").EnumerateArray());
        Assert.Equal("hello-dotnet", plugin.GetProperty("Name").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+$", plugin.GetProperty("Version").GetString());
        Assert.Equal(1000, plugin.GetProperty("Priority").GetInt32());
        Assert.Equal(["access"], plugin.GetProperty("Phases").EnumerateArray().Select(p => p.GetString()));
        JsonElement schema = plugin.GetProperty("Schema");
        Assert.Equal("hello-dotnet", schema.GetProperty("name").GetString());
        JsonElement config = schema.GetProperty("fields")[0].GetProperty("config");
        Assert.Equal("record", config.GetProperty("type").GetString());
        JsonElement message = config.GetProperty("fields").EnumerateArray().Single(f => f.TryGetProperty("message", out _)).GetProperty("message");
        Assert.Equal("string", message.GetProperty("type").GetString());
        Assert.Equal("hello", message.GetProperty("default").GetString());
        Assert.DoesNotContain("null", stdout);
    }

    [Fact]
    public async Task Help_PrintsUsageOnStderr_ExitsZero_UnknownFlag_ExitsTwo()
    {
        var (code, stdout, stderr) = await PluginProcess.RunAsync("-help");
        Assert.Equal(0, code);
        Assert.Empty(stdout);
        Assert.Contains("-kong-prefix", stderr);

        var (bad, badOut, badErr) = await PluginProcess.RunAsync("-kong-prefx", "/tmp");
        Assert.Equal(2, bad);
        Assert.Empty(badOut);
        Assert.Contains("unknown option '-kong-prefx'", badErr);
        Assert.Contains("Usage:", badErr);
    }

    [Fact]
    public async Task Item04_StaleSocket_IsReplaced_SigtermUnlinksAndExitsZero()
    {
        using var dir = new TempDir();
        // A server killed with SIGKILL leaves its socket file behind.
        await using (PluginProcess killed = PluginProcess.Start("-kong-prefix", dir.Path))
        {
            await WaitConnectableAsync(dir.SocketPath, killed);
        }

        Assert.True(File.Exists(dir.SocketPath), "the killed server left a stale socket");
        await using PluginProcess plugin = PluginProcess.Start("-kong-prefix", dir.Path);
        await WaitConnectableAsync(dir.SocketPath, plugin);
        await using (KongConnection kong = await KongConnection.ConnectAsync(dir.SocketPath))
        {
            Assert.Equal(plugin.Pid, kong.ServerPid);
        }

        plugin.SendSigterm();
        Assert.Equal(0, await plugin.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(dir.SocketPath));
    }

    [Fact]
    public async Task Item04_PathThatIsNotASocket_IsNeverDeleted_StartFails()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.SocketPath, "precious");
        await using PluginProcess plugin = PluginProcess.Start("-kong-prefix", dir.Path);
        int code = await plugin.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, code);
        Assert.Equal("precious", await File.ReadAllTextAsync(dir.SocketPath));
        Assert.Contains("not a socket", plugin.Stderr);
    }

    [Fact]
    public async Task HelloExchange_NewConnectionPerCall_StepsOnDifferentConnections_16Concurrent()
    {
        using var dir = new TempDir();
        await using PluginProcess plugin = PluginProcess.Start("-kong-prefix", dir.Path);
        await WaitConnectableAsync(dir.SocketPath, plugin);
        long msgId = 0;
        await using (KongConnection start = await KongConnection.ConnectAsync(dir.SocketPath))
        {
            RpcAnswer started = await start.CallAsync(++msgId, "plugin.StartInstance",
                Mp.Map("Name", "hello-dotnet", "Config", """{"message":"hi","__seq__":7,"__plugin_id":"p","__key__":"k","__ws_id":"w","route_id":null}"""));
            Assert.Null(started.Error);
            Assert.Equal(7L, started.Map["Id"]);
        }

        async Task OneRequestAsync(int n)
        {
            long Next() => Interlocked.Increment(ref msgId);
            await using KongConnection a = await KongConnection.ConnectAsync(dir.SocketPath);
            RpcAnswer call = await a.CallAsync(Next(), "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"));
            Assert.Equal("kong.request.get_header", call.CallMethod);
            Assert.Equal(new object?[] { "host" }, call.CallArgs);
            await using KongConnection b = await KongConnection.ConnectAsync(dir.SocketPath);
            RpcAnswer set = await b.CallAsync(Next(), "plugin.Step", Mp.Map("EventId", call.EventId, "Data", $"host{n}.example.com"));
            Assert.Equal("kong.response.set_header", set.CallMethod);
            Assert.Equal(new object?[] { "x-hello-from-dotnet", $"Dotnet says hi to host{n}.example.com" }, set.CallArgs);
            RpcAnswer ret = await a.CallAsync(Next(), "plugin.Step", Mp.Map("EventId", call.EventId));
            Assert.Equal("ret", ret.Data);
        }

        await OneRequestAsync(0);
        await Task.WhenAll(Enumerable.Range(1, 16).Select(OneRequestAsync)).WaitAsync(TimeSpan.FromSeconds(60));

        await using KongConnection kong = await KongConnection.ConnectAsync(dir.SocketPath);
        Assert.Equal("method plugin.Frobnicate not implemented", (await kong.CallAsync(++msgId, "plugin.Frobnicate")).Error);
        await kong.SendAsync([0x94, 0x00, 0x05, 0xC1]);
        Assert.True(await kong.IsClosedByServerAsync());
        await using KongConnection again = await KongConnection.ConnectAsync(dir.SocketPath);
        Assert.Equal(7L, (await again.CallAsync(++msgId, "plugin.InstanceStatus", 7L)).Map["Id"]);
        Assert.Equal("Dotnet says hi to ", await RunOneAsync(again, () => ++msgId, hostData: null));
        Assert.Null((await again.CallAsync(++msgId, "plugin.CloseInstance", 7L)).Error);
        Assert.Equal("no plugin instance 7", (await again.CallAsync(++msgId, "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"))).Error);
        Assert.False(plugin.HasExited);
    }

    [Fact]
    public async Task Item38_Restart_NewPid_OldIdIsNoPluginInstance_SameSeqGivesSameId()
    {
        using var dir = new TempDir();
        long msgId = 0;
        long firstPid;
        await using (PluginProcess first = PluginProcess.Start("-kong-prefix", dir.Path))
        {
            await WaitConnectableAsync(dir.SocketPath, first);
            await using KongConnection kong = await KongConnection.ConnectAsync(dir.SocketPath);
            firstPid = kong.ServerPid;
            Assert.Equal(7L, (await kong.CallAsync(++msgId, "plugin.StartInstance", Mp.Map("Name", "hello-dotnet", "Config", """{"__seq__":7}"""))).Map["Id"]);
        }

        await using PluginProcess second = PluginProcess.Start("-kong-prefix", dir.Path);
        await WaitConnectableAsync(dir.SocketPath, second);
        await using KongConnection after = await KongConnection.ConnectAsync(dir.SocketPath);
        Assert.NotEqual(firstPid, after.ServerPid);
        Assert.Equal(second.Pid, after.ServerPid);
        Assert.Equal("no plugin instance 7", (await after.CallAsync(++msgId, "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"))).Error);
        Assert.Equal(7L, (await after.CallAsync(++msgId, "plugin.StartInstance", Mp.Map("Name", "hello-dotnet", "Config", """{"__seq__":7}"""))).Map["Id"]);
    }

    [Fact]
    public async Task Reload_EventIdsOfTwoServerProcesses_DoNotCollide()
    {
        // During kong reload an old worker's step can reach the new server on a fresh connection; if both processes
        // numbered events from 1, that step could match another request's live event there.
        using var dir = new TempDir();
        var firstIds = new List<long>();
        for (int run = 0; run < 2; run++)
        {
            await using PluginProcess plugin = PluginProcess.Start("-kong-prefix", dir.Path);
            await WaitConnectableAsync(dir.SocketPath, plugin);
            await using KongConnection kong = await KongConnection.ConnectAsync(dir.SocketPath);
            await kong.CallAsync(1, "plugin.StartInstance", Mp.Map("Name", "hello-dotnet", "Config", """{"__seq__":3}"""));
            RpcAnswer call = await kong.CallAsync(2, "plugin.HandleEvent", Mp.Map("InstanceId", 3L, "EventName", "access"));
            firstIds.Add(call.EventId);
            Assert.Equal("kong.request.get_header", call.CallMethod);
        }

        Assert.NotEqual(firstIds[0], firstIds[1]);
        Assert.DoesNotContain(1L, firstIds);
    }

    [Fact]
    public async Task Item04_Sigterm_WithAnEventInFlight_DrainsIt_ThenExitsZero()
    {
        using var dir = new TempDir();
        await using PluginProcess plugin = PluginProcess.Start("-kong-prefix", dir.Path);
        await WaitConnectableAsync(dir.SocketPath, plugin);
        await using KongConnection kong = await KongConnection.ConnectAsync(dir.SocketPath);
        await kong.CallAsync(1, "plugin.StartInstance", Mp.Map("Name", "hello-dotnet", "Config", """{"__seq__":3}"""));
        RpcAnswer call = await kong.CallAsync(2, "plugin.HandleEvent", Mp.Map("InstanceId", 3L, "EventName", "access"));

        plugin.SendSigterm();
        await plugin.WaitForStderrAsync("shutting down");
        RpcAnswer set = await kong.CallAsync(3, "plugin.Step", Mp.Map("EventId", call.EventId, "Data", "late.example.com"));
        Assert.Equal("kong.response.set_header", set.CallMethod);
        Assert.Equal("ret", (await kong.CallAsync(4, "plugin.Step", Mp.Map("EventId", call.EventId))).Data);
        Assert.Equal(0, await plugin.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.False(File.Exists(dir.SocketPath)); // no newer server came: the path is removed at the end
        Assert.Contains("SIGTERM", plugin.Stderr);
        Assert.Empty(plugin.Stdout);
    }

    private static async Task<string?> RunOneAsync(KongConnection kong, Func<long> next, string? hostData)
    {
        RpcAnswer call = await kong.CallAsync(next(), "plugin.HandleEvent", Mp.Map("InstanceId", 7L, "EventName", "access"));
        RpcAnswer set = await kong.CallAsync(next(), "plugin.Step", hostData is null ? Mp.Map("EventId", call.EventId) : Mp.Map("EventId", call.EventId, "Data", hostData));
        Assert.Equal("ret", (await kong.CallAsync(next(), "plugin.Step", Mp.Map("EventId", call.EventId))).Data);
        return (string?)set.CallArgs[1];
    }

    private static async Task WaitConnectableAsync(string socketPath, PluginProcess plugin)
    {
        long deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            if (plugin.HasExited) throw new InvalidOperationException($"the plugin exited with {plugin.ExitCode}: {plugin.Stderr}");
            try
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                return;
            }
            catch (SocketException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(25);
            }
        }
    }

}

[Collection("processes")]
public sealed class OrphanTests
{
    [Fact]
    public async Task ParentKilled_TheOrphanedServerShutsDownAndUnlinksItsSocket()
    {
        using var dir = new TempDir();
        var info = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"dotnet '{PluginProcess.PluginDll}' -kong-prefix '{dir.Path}' & wait");
        using var shell = System.Diagnostics.Process.Start(info)!;
        long pluginPid = 0;
        try
        {
            long deadline = Environment.TickCount64 + 30_000;
            while (true)
            {
                try
                {
                    await using KongConnection kong = await KongConnection.ConnectAsync(dir.SocketPath);
                    pluginPid = kong.ServerPid;
                    break;
                }
                catch (Exception) when (Environment.TickCount64 < deadline)
                {
                    await Task.Delay(50);
                }
            }

            shell.Kill(); // SIGKILL the parent, as when Kong is killed
            long exitDeadline = Environment.TickCount64 + 15_000;
            while (Directory.Exists($"/proc/{pluginPid}") && Environment.TickCount64 < exitDeadline) await Task.Delay(50);
            Assert.False(Directory.Exists($"/proc/{pluginPid}") && !File.ReadAllText($"/proc/{pluginPid}/stat").Contains(") Z "), "the orphaned server should exit");
            Assert.False(File.Exists(dir.SocketPath));
        }
        finally
        {
            if (!shell.HasExited) shell.Kill(entireProcessTree: true);
            if (pluginPid > 0 && Directory.Exists($"/proc/{pluginPid}"))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById((int)pluginPid).Kill();
                }
                catch (ArgumentException)
                {
                }
            }
        }
    }
}

public sealed class BuildOutputTests
{
    [Fact]
    public async Task Build_OutputHoldsTheExecutableUnderThePluginName_AndAKongConfSnippet()
    {
        string output = Path.GetDirectoryName(PluginProcess.PluginDll)!;
        string executable = Path.Combine(output, "hello-dotnet");
        Assert.True(File.Exists(executable), "the build output should hold the executable named after the plugin");

        var info = new System.Diagnostics.ProcessStartInfo(executable, "-dump") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(info)!;
        try
        {
            string dump = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, process.ExitCode);
            Assert.StartsWith("""{"Protocol":"MsgPack:1","Plugins":[{"Name":"hello-dotnet",""", dump);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }

        string[] snippet = await File.ReadAllLinesAsync(Path.Combine(output, "kong.conf.snippet"));
        Assert.Contains("plugins = bundled,hello-dotnet", snippet);
        Assert.Contains("pluginserver_names = hello-dotnet", snippet);
        Assert.Contains("pluginserver_hello_dotnet_socket = /usr/local/kong/hello-dotnet.socket", snippet);
        Assert.Contains("pluginserver_hello_dotnet_start_cmd = /usr/local/bin/hello-dotnet -kong-prefix /usr/local/kong", snippet);
        Assert.Contains("pluginserver_hello_dotnet_query_cmd = /usr/local/bin/hello-dotnet -dump", snippet);
    }

    [Kong.Pdk.TestSupport.LuaJitFact]
    public async Task Build_OutputHoldsTheSchemaLua_WhichLuaJitLoadsToTheDumpSchema()
    {
        string output = Path.GetDirectoryName(PluginProcess.PluginDll)!;
        string luaPath = Path.Combine(output, "hello-dotnet.schema.lua");
        Assert.True(File.Exists(luaPath), "the build output should hold <plugin name>.schema.lua");

        var info = new System.Diagnostics.ProcessStartInfo(Path.Combine(output, "hello-dotnet"), "-dump") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(info)!;
        try
        {
            string dump = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            using var json = System.Text.Json.JsonDocument.Parse(dump);
            System.Text.Json.JsonElement schema = json.RootElement.GetProperty("Plugins")[0].GetProperty("Schema");
            Kong.Pdk.TestSupport.LuaSchemaRoundTrip.AssertSame(schema, await File.ReadAllTextAsync(luaPath));
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }
}
