using Kong.Pdk.TestSupport;

namespace Kong.Pdk.IntegrationTests;

/// <summary>
/// samples/GreetingService: constructor services in a generic host from the generated Main (docs/dependency-injection.md),
/// started as Kong starts it, over a real Unix socket with a new connection per call.
/// </summary>
[Collection("processes")]
public sealed class GreetingServiceEndToEndTests
{
    private static string Dll => PluginProcess.SampleDll("GreetingService", "GreetingService");

    /// <summary>Every level of every category on: whatever the host logs, it logs.</summary>
    private static readonly Dictionary<string, string> AllLogging = new() { ["Logging__LogLevel__Default"] = "Trace" };

    [Fact]
    public async Task Serve_SingletonAndPerInstanceScopedServices_LoggerMessageAndServerLogThroughTheHostsLoggerOnStderr()
    {
        using var dir = new TempDir();
        await using PluginProcess server = PluginProcess.StartDll(Dll, [], AllLogging, "-kong-prefix", dir.Path);
        string socket = Path.Combine(dir.Path, "greeting-service.socket");
        await server.WaitServingAsync(socket);

        await StartAsync(socket, seq: 1, language: "fr");
        await StartAsync(socket, seq: 2, language: "de");
        Assert.Equal(("bonjour", "1"), await AccessAsync(socket, 1));
        Assert.Equal(("bonjour", "2"), await AccessAsync(socket, 1));
        Assert.Equal(("hallo", "1"), await AccessAsync(socket, 2)); // its own scope: its own counter

        // The console logger writes on its own thread: wait (bounded) for the lines.
        string stderr = await WaitForStderrAsync(server, "first request for plugin");

        Assert.Contains("Kong.Pdk.Server[1] listening on", stderr, StringComparison.Ordinal); // one line per record
        Assert.Contains("GreetingService.GreetingPlugin[1]", stderr, StringComparison.Ordinal);
        Assert.Contains("first request for plugin 6f0c9a1b-0000-4f50-8a6b-000000000001 (instance 1)", stderr, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Hosting.Lifetime", stderr, StringComparison.Ordinal);
        Assert.Equal("", server.Stdout); // stdout is Kong's -dump channel: the host's console logger writes to stderr
    }

    [Fact]
    public async Task Serve_LogFormatKong_ServerLinesInKongsStderrFormat_PluginLinesThroughTheHost()
    {
        using var dir = new TempDir();
        await using PluginProcess server = PluginProcess.StartDll(Dll, [], AllLogging, "-kong-prefix", dir.Path, "-log-format", "kong");
        string socket = Path.Combine(dir.Path, "greeting-service.socket");
        await server.WaitServingAsync(socket);
        await StartAsync(socket, seq: 1, language: "fr");
        Assert.Equal(("bonjour", "1"), await AccessAsync(socket, 1));

        string stderr = await WaitForStderrAsync(server, "first request for plugin");

        Assert.Matches(@"(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[info\] greeting-service: listening on ", stderr);
        Assert.DoesNotContain("Kong.Pdk.Server[1]", stderr, StringComparison.Ordinal);
        Assert.Contains("GreetingService.GreetingPlugin[1]", stderr, StringComparison.Ordinal);
        Assert.Equal("", server.Stdout);
    }

    [Fact]
    public async Task Dump_WithEveryLogLevelOn_StdoutIsOnlyTheJson_HostNotStarted()
    {
        var (code, stdout, stderr) = await PluginProcess.RunDllAsync(Dll, AllLogging, "-dump");
        Assert.True(code == 0, stderr);
        using var dump = System.Text.Json.JsonDocument.Parse(stdout); // the whole of stdout: one JSON document
        Assert.Equal("MsgPack:1", dump.RootElement.GetProperty("Protocol").GetString());
        Assert.DoesNotContain("Application started", stdout + stderr, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForStderrAsync(PluginProcess server, string text)
    {
        for (int i = 0; i < 200 && !server.Stderr.Contains(text, StringComparison.Ordinal); i++) await Task.Delay(50);
        Assert.True(server.Stderr.Contains(text, StringComparison.Ordinal), $"'{text}' not on stderr; stderr: {server.Stderr}; stdout: {server.Stdout}");
        return server.Stderr;
    }

    private static async Task StartAsync(string socket, long seq, string language)
    {
        await using KongConnection kong = await KongConnection.ConnectAsync(socket);
        RpcAnswer started = await kong.CallAsync(seq, "plugin.StartInstance", Mp.Map("Name", "greeting-service",
            "Config", $$"""{"language":"{{language}}","__plugin_id":"6f0c9a1b-0000-4f50-8a6b-00000000000{{seq}}","__seq__":{{seq}}}"""));
        Assert.Null(started.Error);
    }

    private static async Task<(string Greeting, string Count)> AccessAsync(string socket, long instance)
    {
        await using KongConnection kong = await KongConnection.ConnectAsync(socket);
        RpcAnswer greeting = await kong.CallAsync(10, "plugin.HandleEvent", Mp.Map("InstanceId", instance, "EventName", "access"));
        Assert.Equal("kong.response.set_header", greeting.CallMethod);
        await using KongConnection next = await KongConnection.ConnectAsync(socket);
        RpcAnswer count = await next.CallAsync(11, "plugin.Step", Mp.Map("EventId", greeting.EventId));
        Assert.Equal("kong.response.set_header", count.CallMethod);
        await using KongConnection last = await KongConnection.ConnectAsync(socket);
        Assert.Equal("ret", (await last.CallAsync(12, "plugin.Step", Mp.Map("EventId", count.EventId))).Data);
        return ((string)greeting.CallArgs[1]!, (string)count.CallArgs[1]!);
    }
}
