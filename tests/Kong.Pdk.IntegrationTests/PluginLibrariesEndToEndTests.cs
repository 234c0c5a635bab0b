using System.Text.Json;
using Kong.Pdk.TestSupport;

namespace Kong.Pdk.IntegrationTests;

/// <summary>
/// samples/PluginLibraries: PluginHost has no code of its own and serves the plugins of the class libraries
/// HeaderStamp and RequestGuard (docs/plugin-libraries.md). Started as Kong starts it, over real Unix sockets, a new
/// connection per call.
/// </summary>
[Collection("processes")]
public sealed class PluginLibrariesEndToEndTests
{
    private static string HostDll => PluginProcess.SampleDll(Path.Combine("PluginLibraries", "PluginHost"), "PluginHost");

    [Fact]
    public async Task Dump_ListsThePluginsOfBothLibraries_InNameOrder_AndPluginSelectsOne()
    {
        var (code, stdout, stderr) = await PluginProcess.RunDllAsync(HostDll, "-dump");
        Assert.True(code == 0, stderr);
        using JsonDocument dump = JsonDocument.Parse(stdout);
        JsonElement[] plugins = dump.RootElement.GetProperty("Plugins").EnumerateArray().ToArray();
        Assert.Equal(["header-stamp", "request-guard"], plugins.Select(p => p.GetProperty("Name").GetString()));
        Assert.Equal([900, 1100], plugins.Select(p => p.GetProperty("Priority").GetInt32()));
        Assert.Equal(["header-stamp", "request-guard"], plugins.Select(p => p.GetProperty("Schema").GetProperty("name").GetString()));
        Assert.All(plugins, p => Assert.Equal(["access"], p.GetProperty("Phases").EnumerateArray().Select(e => e.GetString())));

        var (selectedCode, selected, _) = await PluginProcess.RunDllAsync(HostDll, "-dump", "-plugin", "request-guard");
        Assert.Equal(0, selectedCode);
        using JsonDocument one = JsonDocument.Parse(selected);
        Assert.Equal("request-guard", Assert.Single(one.RootElement.GetProperty("Plugins").EnumerateArray()).GetProperty("Name").GetString());

        var (namesCode, names, _) = await PluginProcess.RunDllAsync(HostDll, "-plugin-names");
        Assert.Equal(0, namesCode);
        Assert.Equal("header-stamp\nrequest-guard\n", names.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Build_WritesTheKongConfAndSchemaLuaOfEveryLibraryPlugin_BesideTheHostOnly()
    {
        string hostDir = Path.GetDirectoryName(HostDll)!;
        string snippet = File.ReadAllText(Path.Combine(hostDir, "kong.conf.snippet"));
        Assert.Contains("pluginserver_names = header-stamp,request-guard", snippet, StringComparison.Ordinal);
        Assert.Contains("pluginserver_header_stamp_start_cmd = /usr/local/bin/PluginHost -plugin header-stamp -kong-prefix /usr/local/kong", snippet, StringComparison.Ordinal);
        Assert.Contains("pluginserver_request_guard_query_cmd = /usr/local/bin/PluginHost -dump -plugin request-guard", snippet, StringComparison.Ordinal);
        Assert.Contains("name = \"header-stamp\"", File.ReadAllText(Path.Combine(hostDir, "header-stamp.schema.lua")), StringComparison.Ordinal);
        Assert.Contains("name = \"request-guard\"", File.ReadAllText(Path.Combine(hostDir, "request-guard.schema.lua")), StringComparison.Ordinal);

        // Building a library runs nothing: no -dump, no kong.conf.snippet, no schema.lua there.
        foreach (string library in new[] { "HeaderStamp", "RequestGuard" })
        {
            string libraryDir = Path.GetDirectoryName(PluginProcess.SampleDll(Path.Combine("PluginLibraries", library), library))!;
            Assert.Empty(Directory.GetFiles(libraryDir, "kong.conf.snippet"));
            Assert.Empty(Directory.GetFiles(libraryDir, "*.schema.lua"));
        }
    }

    [Fact]
    public async Task OneServerPerPlugin_AsKong39Starts_Them_EachDispatchesToItsLibrary()
    {
        using var dir = new TempDir();
        await using PluginProcess stamp = PluginProcess.StartDll(HostDll, [], "-plugin", "header-stamp", "-kong-prefix", dir.Path);
        await using PluginProcess guard = PluginProcess.StartDll(HostDll, [], "-plugin", "request-guard", "-kong-prefix", dir.Path);
        string stampSocket = Path.Combine(dir.Path, "header-stamp.socket");
        string guardSocket = Path.Combine(dir.Path, "request-guard.socket");
        await stamp.WaitServingAsync(stampSocket);
        await guard.WaitServingAsync(guardSocket);

        await AssertStampsAsync(stampSocket, seq: 3);
        await AssertGuardsAsync(guardSocket, seq: 4);

        // Each process serves only the plugin it was started for.
        await using KongConnection kong = await KongConnection.ConnectAsync(stampSocket);
        RpcAnswer refused = await kong.CallAsync(99, "plugin.StartInstance", Mp.Map("Name", "request-guard", "Config", """{"__seq__":5}"""));
        Assert.Equal("plugin 'request-guard' is not served by this plugin server", refused.Error);
    }

    [Fact]
    public async Task OneServerForBoth_AsKong30To38Starts_It_DispatchesToBothLibraries()
    {
        using var dir = new TempDir();
        string socket = Path.Combine(dir.Path, "PluginHost.socket");
        await using PluginProcess host = PluginProcess.StartDll(HostDll, [], "-kong-prefix", dir.Path);
        await host.WaitServingAsync(socket);

        await AssertStampsAsync(socket, seq: 1);
        await AssertGuardsAsync(socket, seq: 2);
        Assert.Contains("plugins: header-stamp 1.0.0, request-guard 1.0.0", host.Stderr, StringComparison.Ordinal);
    }

    /// <summary>HeaderStamp sets its header on the upstream request, then on the response.</summary>
    private static async Task AssertStampsAsync(string socket, long seq)
    {
        long msgId = 0;
        await using (KongConnection start = await KongConnection.ConnectAsync(socket))
        {
            RpcAnswer started = await start.CallAsync(++msgId, "plugin.StartInstance",
                Mp.Map("Name", "header-stamp", "Config", $$"""{"header":"x-stamp","value":"lib","__seq__":{{seq}}}"""));
            Assert.Null(started.Error);
            Assert.Equal(seq, started.Map["Id"]);
        }

        await using KongConnection kong = await KongConnection.ConnectAsync(socket);
        RpcAnswer call = await kong.CallAsync(++msgId, "plugin.HandleEvent", Mp.Map("InstanceId", seq, "EventName", "access"));
        Assert.Equal("kong.service.request.set_header", call.CallMethod);
        Assert.Equal(new object?[] { "x-stamp", "lib" }, call.CallArgs);
        await using KongConnection next = await KongConnection.ConnectAsync(socket);
        RpcAnswer set = await next.CallAsync(++msgId, "plugin.Step", Mp.Map("EventId", call.EventId));
        Assert.Equal("kong.response.set_header", set.CallMethod);
        Assert.Equal(new object?[] { "x-stamp", "lib" }, set.CallArgs);
        Assert.Equal("ret", (await kong.CallAsync(++msgId, "plugin.Step", Mp.Map("EventId", call.EventId))).Data);
    }

    /// <summary>RequestGuard reads its header and, when it is missing, answers the client with its status.</summary>
    private static async Task AssertGuardsAsync(string socket, long seq)
    {
        long msgId = 100;
        await using (KongConnection start = await KongConnection.ConnectAsync(socket))
        {
            RpcAnswer started = await start.CallAsync(++msgId, "plugin.StartInstance",
                Mp.Map("Name", "request-guard", "Config", $$"""{"required_header":"x-token","reject_status":403,"__seq__":{{seq}}}"""));
            Assert.Null(started.Error);
        }

        await using KongConnection kong = await KongConnection.ConnectAsync(socket);
        RpcAnswer call = await kong.CallAsync(++msgId, "plugin.HandleEvent", Mp.Map("InstanceId", seq, "EventName", "access"));
        Assert.Equal("kong.request.get_header", call.CallMethod);
        Assert.Equal(new object?[] { "x-token" }, call.CallArgs);
        await using KongConnection next = await KongConnection.ConnectAsync(socket);
        RpcAnswer exit = await next.CallAsync(++msgId, "plugin.Step", Mp.Map("EventId", call.EventId));
        Assert.Equal("kong.response.exit", exit.CallMethod);
        Assert.Equal(403L, Convert.ToInt64(exit.CallArgs[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("missing credentials", exit.CallArgs[1]);
        // kong.response.exit is terminal: Kong answers it with nothing, and the event has ended.
    }
}
