using Kong.Pdk.Hosting;

namespace Kong.Pdk.Tests;

/// <summary>kong-protocol.md §1.2: the go-pdk spellings plus aliases, one or two dashes, and a usage error for anything else.</summary>
public sealed class HostCommandLineTests
{
    [Theory]
    [InlineData("-dump")]
    [InlineData("--dump")]
    public void Dump_BothSpellings(string flag)
    {
        HostCommandLine line = HostCommandLine.Parse([flag], out string? error);
        Assert.Null(error);
        Assert.True(line.Dump);
    }

    [Theory]
    [InlineData("-kong-prefix", "/opt/kong")]
    [InlineData("--kong-prefix", "/opt/kong")]
    [InlineData("-p", "/opt/kong")]
    [InlineData("--kong-prefix=/opt/kong", null)]
    public void Prefix_AllSpellings(string flag, string? value)
    {
        string[] args = value is null ? [flag] : [flag, value];
        HostCommandLine line = HostCommandLine.Parse(args, out string? error);
        Assert.Null(error);
        Assert.Equal("/opt/kong", line.Prefix);
    }

    [Fact]
    public void Defaults_AreKongs()
    {
        HostCommandLine line = HostCommandLine.Parse([], out string? error);
        Assert.Null(error);
        Assert.Equal("/usr/local/kong", line.Prefix);
        Assert.Null(line.SocketPath);
        Assert.False(line.Dump);
        Assert.Equal(TimeSpan.FromSeconds(90), line.Options.EventIdleTimeout);
        Assert.True(line.Options.ExitWhenOrphaned);
    }

    /// <summary>Issue 9 item 8: Kong closes the idle connections of its pool after lua_socket_keepalive_timeout (60 s
    /// by default), so the server's idle timeout stays above it and never cuts a connection Kong may borrow again;
    /// a partial message has a timeout of its own.</summary>
    [Fact]
    public void Defaults_ConnectionIdleTimeout_IsAboveKongsKeepaliveTimeout_PartialMessageTimeoutIsSet()
    {
        KongServerOptions options = HostCommandLine.Parse([], out _).Options;
        Assert.True(options.ConnectionIdleTimeout > TimeSpan.FromSeconds(60), $"{options.ConnectionIdleTimeout}");
        Assert.Equal(TimeSpan.FromSeconds(75), options.ConnectionIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.PartialMessageTimeout);
        Assert.Equal(options.ConnectionIdleTimeout, new KongServerOptions().ConnectionIdleTimeout);
    }

    [Fact]
    public void EveryLimit_IsParsed()
    {
        HostCommandLine line = HostCommandLine.Parse(
            ["-socket", "/tmp/s", "-plugin", "a", "-plugin", "b", "-log-level", "debug", "-max-message-size", "1000",
             "-max-depth", "10", "-max-connections", "5", "-max-events", "6", "-event-idle-timeout", "1.5",
             "-handler-deadline", "2", "-instance-ttl", "3", "-shutdown-timeout", "4", "-connection-idle-timeout", "5", "-partial-message-timeout", "6", "-no-parent-watch"], out string? error);
        Assert.Null(error);
        Assert.Equal("/tmp/s", line.SocketPath);
        Assert.Equal(["a", "b"], line.SelectedPlugins);
        Assert.Equal(KongLogLevel.Debug, line.Options.LogLevel);
        Assert.Equal(1000, line.Options.MaxMessageSize);
        Assert.Equal(10, line.Options.MaxNestingDepth);
        Assert.Equal(5, line.Options.MaxConnections);
        Assert.Equal(6, line.Options.MaxEventsInFlight);
        Assert.Equal(TimeSpan.FromSeconds(1.5), line.Options.EventIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), line.Options.HandlerDeadline);
        Assert.Equal(TimeSpan.FromSeconds(3), line.Options.InstanceIdleTtl);
        Assert.Equal(TimeSpan.FromSeconds(5), line.Options.ConnectionIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(6), line.Options.PartialMessageTimeout);
        Assert.Equal(TimeSpan.FromSeconds(4), line.Options.ShutdownTimeout);
        Assert.False(line.Options.ExitWhenOrphaned);
    }

    [Fact]
    public void TracingFlags_AreParsed_AndOffByDefault()
    {
        HostCommandLine defaults = HostCommandLine.Parse([], out _);
        Assert.False(defaults.Options.TracePdkCalls);
        Assert.False(defaults.Options.ContinueRequestTrace);

        HostCommandLine line = HostCommandLine.Parse(["-trace-pdk-calls", "--continue-request-trace"], out string? error);
        Assert.Null(error);
        Assert.True(line.Options.TracePdkCalls);
        Assert.True(line.Options.ContinueRequestTrace);
    }

    [Fact]
    public void LogFormat_IsParsed_LoggerByDefault()
    {
        Assert.Equal(KongLogFormat.Logger, HostCommandLine.Parse([], out _).Options.LogFormat);
        Assert.Equal(KongLogFormat.Kong, HostCommandLine.Parse(["-log-format", "kong"], out string? error).Options.LogFormat);
        Assert.Null(error);
        Assert.Equal(KongLogFormat.Logger, HostCommandLine.Parse(["--log-format", "Logger"], out error).Options.LogFormat);
        Assert.Null(error);
        HostCommandLine.Parse(["-log-format", "1"], out error);
        Assert.Contains("unknown log format '1'", error);
    }

    [Fact]
    public void PerPeerLimits_AreParsed()
    {
        HostCommandLine line = HostCommandLine.Parse(["-max-events-per-connection", "7", "-memory-budget", "3000000000"], out string? error);
        Assert.Null(error);
        Assert.Equal(7, line.Options.MaxEventsPerConnection);
        Assert.Equal(3_000_000_000L, line.Options.MemoryBudget);
        Assert.Equal(1000, HostCommandLine.Parse([], out _).Options.MaxEventsPerConnection);
        Assert.Equal(512L * 1024 * 1024, HostCommandLine.Parse([], out _).Options.MemoryBudget);
        Assert.Contains("needs a positive integer", HostCommandLine.Parse(["-memory-budget", "lots"], out error) is not null ? error : "");
    }

    [Theory]
    [InlineData("-kong-prefx", "unknown option '-kong-prefx'")]
    [InlineData("-max-events", "needs a positive integer")]
    [InlineData("-log-level", "needs a value")]
    [InlineData("positional", "unknown option 'positional'")]
    public void BadCommandLines_AreErrors(string arg, string expected)
    {
        HostCommandLine.Parse([arg], out string? error);
        Assert.NotNull(error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void BadValues_AreErrors()
    {
        HostCommandLine.Parse(["-max-events", "-3"], out string? negative);
        HostCommandLine.Parse(["-log-level", "loud"], out string? level);
        HostCommandLine.Parse(["-handler-deadline", "soon"], out string? seconds);
        Assert.Contains("positive integer", negative);
        Assert.Contains("unknown log level 'loud'", level);
        Assert.Contains("seconds", seconds);
    }

    [Fact]
    public void Dump_OfTwoPlugins_ListsBoth_AndIsOneLineOfJson()
    {
        byte[] dump = PluginDump.Write([new TestPlugin("a-plugin").On(KongPhase.Log, (_, _) => ValueTask.CompletedTask),
                                        new TestPlugin("b-plugin").On(KongPhase.Access, (_, _) => ValueTask.CompletedTask)]);
        string text = System.Text.Encoding.UTF8.GetString(dump);
        Assert.EndsWith("\n", text);
        Assert.Single(text.Trim().Split('\n'));
        using var json = System.Text.Json.JsonDocument.Parse(text);
        Assert.Equal(["a-plugin", "b-plugin"], json.RootElement.GetProperty("Plugins").EnumerateArray().Select(p => p.GetProperty("Name").GetString()));
        Assert.Equal("log", json.RootElement.GetProperty("Plugins")[0].GetProperty("Phases")[0].GetString());
    }
    /// <summary>Issue 13: the event loops are the default; <c>-connection-mode thread</c> is what the docs tell plugins
    /// whose handlers block to use, so each documented spelling must reach its mode, and nothing else may.</summary>
    [Theory]
    [InlineData(null, KongConnectionMode.EventLoop)]
    [InlineData("loop", KongConnectionMode.EventLoop)]
    [InlineData("event-loop", KongConnectionMode.EventLoop)]
    [InlineData("EventLoop", KongConnectionMode.EventLoop)]
    [InlineData("thread", KongConnectionMode.Thread)]
    [InlineData("Thread", KongConnectionMode.Thread)]
    public void ConnectionMode_DefaultIsTheEventLoops_EachDocumentedSpellingIsParsed(string? value, KongConnectionMode expected)
    {
        HostCommandLine line = HostCommandLine.Parse(value is null ? [] : ["-connection-mode", value], out string? error);
        Assert.Null(error);
        Assert.Equal(expected, line.Options.ConnectionMode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("threads")]
    [InlineData("Thread, Async")]
    [InlineData("async")]
    [InlineData("Async")]
    [InlineData("pipe")]
    public void ConnectionMode_AnythingElse_IsAUsageErrorNamingTheModes(string value)
    {
        HostCommandLine.Parse(["-connection-mode", value], out string? error);
        Assert.Equal($"unknown connection mode '{value}' (loop or thread)", error);
    }

    /// <summary>The async mode and its <c>-inline-completions</c> flag were removed (issue 13 item 6): a command line
    /// that still carries the flag is a usage error, not a flag silently ignored.</summary>
    [Theory]
    [InlineData("-inline-completions")]
    [InlineData("--inline-completions")]
    public void InlineCompletions_IsNoLongerAnOption(string flag)
    {
        HostCommandLine.Parse([flag], out string? error);
        Assert.Equal($"unknown option '{flag}'", error);
    }

    /// <summary>Code that still sets the removed mode's value (1, once <c>Async</c>) is refused when the server is made,
    /// not served silently in another mode.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ConnectionMode_AValueThatNamesNoMode_IsRefusedByTheServer(int value)
    {
        var options = new KongServerOptions { ConnectionMode = (KongConnectionMode)value };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Kong.Pdk.Server.PluginServer(
            [new TestPlugin("a-plugin").On(KongPhase.Access, (_, _) => ValueTask.CompletedTask)], options,
            new Kong.Pdk.Server.ServerLog("t", KongLogLevel.None, TextWriter.Null)));
        Assert.Equal(nameof(KongServerOptions.ConnectionMode), error.ParamName);
    }

    /// <summary><c>-event-loops N</c> sets how many loops serve the connections (0 or absent: one per processor).</summary>
    [Theory]
    [InlineData(null, 0)]
    [InlineData("3", 3)]
    [InlineData("1024", 1024)]
    public void EventLoops_IsParsed_AbsentMeansOnePerProcessor(string? value, int expected)
    {
        HostCommandLine line = HostCommandLine.Parse(value is null ? [] : ["-event-loops", value], out string? error);
        Assert.Null(error);
        Assert.Equal(expected, line.Options.EventLoops);
    }

    [Fact]
    public void EventLoops_NotANumber_IsAUsageError()
    {
        HostCommandLine.Parse(["-event-loops", "many"], out string? error);
        Assert.NotNull(error);
        Assert.Contains("-event-loops", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1025)]
    public void EventLoops_OutOfRange_IsRefusedByTheServer(int value)
    {
        var options = new KongServerOptions { EventLoops = value };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Kong.Pdk.Server.PluginServer(
            [new TestPlugin("a-plugin").On(KongPhase.Access, (_, _) => ValueTask.CompletedTask)], options,
            new Kong.Pdk.Server.ServerLog("t", KongLogLevel.None, TextWriter.Null)));
        Assert.Equal(nameof(KongServerOptions.EventLoops), error.ParamName);
    }
}

public sealed class KongConfSnippetTests
{
    [Fact]
    public void TwoPluginsInOneExecutable_OneServerEntryEach_SelectedWithPlugin()
    {
        var a = new TestPlugin("auth-plugin").On(KongPhase.Access, (_, _) => ValueTask.CompletedTask);
        var b = new TestPlugin("audit-plugin").On(KongPhase.Log, (_, _) => ValueTask.CompletedTask);
        string[] lines = Hosting.KongConfSnippet.Write([a, b], 2, "my-plugins", "/opt/bin/", "/usr/local/kong/").Split('\n');
        Assert.Contains("plugins = bundled,auth-plugin,audit-plugin", lines);
        Assert.Contains("pluginserver_names = auth-plugin,audit-plugin", lines);
        Assert.Contains("pluginserver_auth_plugin_socket = /usr/local/kong/auth-plugin.socket", lines);
        Assert.Contains("pluginserver_auth_plugin_start_cmd = /opt/bin/my-plugins -plugin auth-plugin -kong-prefix /usr/local/kong", lines);
        Assert.Contains("pluginserver_audit_plugin_query_cmd = /opt/bin/my-plugins -dump -plugin audit-plugin", lines);
        Assert.DoesNotContain(lines, l => l.Contains(';', StringComparison.Ordinal));
    }

    [Fact]
    public void KongConfAndPluginNames_AreParsed()
    {
        HostCommandLine line = HostCommandLine.Parse(["-kong-conf", "-install-dir", "/opt/bin", "-exe-name", "x", "-plugin-names"], out string? error);
        Assert.Null(error);
        Assert.True(line.KongConf);
        Assert.True(line.PluginNames);
        Assert.Equal("/opt/bin", line.InstallDir);
        Assert.Equal("x", line.ExecutableName);
    }

}
