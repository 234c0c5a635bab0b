using System.Collections.Concurrent;
using Kong.Pdk.Hosting;
using Kong.Pdk.Server;
using Kong.Pdk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kong.Pdk.Tests;

/// <summary>Constructor injection over a real Unix socket with a real container (docs/dependency-injection.md):
/// singletons are shared, scoped services live as long as one instance (one Kong configuration) and are disposed when
/// it is closed or replaced, and <see cref="KongInstanceInfo"/> carries Kong's metadata.</summary>
public class DependencyInjectionTests
{
    private const string Config = """{"header":"x-di","__plugin_id":"6f0c9a1b-2d3e-4f50-8a6b-7c8d9e0f1a2b","__key__":"plugins:di-test::::ws-1","__ws_id":"ws-1","__seq__":7}""";

    private static ServiceProvider Services()
        => new ServiceCollection()
            .AddSingleton<SharedCounter>()
            .AddScoped<PerInstanceState>()
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddKongPlugin<DiTestPlugin>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

    [Fact]
    public async Task StartInstance_ConstructorServices_SingletonSharedScopedPerInstanceAndInstanceInfo()
    {
        await using ServiceProvider services = Services();
        await using var server = InProcessServer.Start(DiTestPlugin.Descriptor, o => o.Services = services);
        await using KongConnection kong = await server.ConnectAsync();
        long first = await server.StartInstanceAsync(kong, "di-test", Config);
        long second = await server.StartInstanceAsync(kong, "di-test", Config.Replace("\"__seq__\":7", "\"__seq__\":8", StringComparison.Ordinal));

        foreach (long instance in new[] { first, first, second })
        {
            RpcAnswer set = await server.HandleEventAsync(kong, instance, "access");
            Assert.Equal("kong.response.set_header", set.CallMethod);
            Assert.Equal("x-di", set.CallArgs[0]);
            Assert.Equal("ret", (await server.StepAsync(kong, set.EventId, null, hasData: false)).Data);
        }

        DiTestPlugin[] plugins = DiTestPlugin.Created.Where(p => p.Shared == services.GetRequiredService<SharedCounter>()).ToArray();
        Assert.Equal(2, plugins.Length);
        Assert.Same(plugins[0].Shared, plugins[1].Shared);
        Assert.NotSame(plugins[0].State, plugins[1].State);
        Assert.Equal(2, plugins[0].State.Events);
        Assert.Equal(1, plugins[1].State.Events);
        KongInstanceInfo info = plugins[0].Info;
        Assert.Equal(("di-test", 7, "6f0c9a1b-2d3e-4f50-8a6b-7c8d9e0f1a2b", "plugins:di-test::::ws-1", 7L, "ws-1"),
            (info.PluginName, info.InstanceId, info.PluginId, info.Key, info.Sequence, info.WorkspaceId));
        Assert.Same(info, plugins[0].State.Info); // the scoped service the container built sees the same info
        Assert.Equal(8, plugins[1].Info.InstanceId);
    }

    [Fact]
    public async Task CloseInstance_DisposesTheInstanceScope_NotTheSingletons()
    {
        await using ServiceProvider services = Services();
        await using var server = InProcessServer.Start(DiTestPlugin.Descriptor, o => o.Services = services);
        await using KongConnection kong = await server.ConnectAsync();
        long id = await server.StartInstanceAsync(kong, "di-test", Config);
        DiTestPlugin plugin = DiTestPlugin.Created.Single(p => p.Shared == services.GetRequiredService<SharedCounter>());
        Assert.False(plugin.State.Disposed);

        Assert.Null((await kong.CallAsync(server.NextMsgId(), "plugin.CloseInstance", id)).Error);

        await ProtocolConformanceTests.Eventually(() => plugin.State.Disposed, "the instance's scoped service disposed");
        Assert.False(plugin.Shared.Disposed);
    }

    [Fact]
    public async Task StartInstance_SameSeqReplacesTheInstance_OldScopeDisposedAfterItsRunningEvent()
    {
        await using ServiceProvider services = Services();
        await using var server = InProcessServer.Start(DiTestPlugin.Descriptor, o => o.Services = services);
        await using KongConnection kong = await server.ConnectAsync();
        long id = await server.StartInstanceAsync(kong, "di-test", Config);
        DiTestPlugin old = DiTestPlugin.Created.Single(p => p.Shared == services.GetRequiredService<SharedCounter>());
        RpcAnswer running = await server.HandleEventAsync(kong, id, "access"); // waits for its step

        await server.StartInstanceAsync(kong, "di-test", Config);
        await Task.Delay(100);
        Assert.False(old.State.Disposed); // its event still runs

        Assert.Equal("ret", (await server.StepAsync(kong, running.EventId, null, hasData: false)).Data);
        await ProtocolConformanceTests.Eventually(() => old.State.Disposed, "the replaced instance's scope disposed once its event ended");
    }

    [Fact]
    public async Task StartInstance_MissingService_ErrorNamesPluginAndType_NotTheConfig()
    {
        await using ServiceProvider services = new ServiceCollection().AddKongPlugin<DiTestPlugin>().BuildServiceProvider();
        await using var server = InProcessServer.Start(DiTestPlugin.Descriptor, o => o.Services = services);
        await using KongConnection kong = await server.ConnectAsync();

        RpcAnswer answer = await kong.CallAsync(server.NextMsgId(), "plugin.StartInstance", Mp.Map("Name", "di-test", "Config", Config.Replace("x-di", "secret-value", StringComparison.Ordinal)));

        string error = Assert.IsType<string>(answer.Error);
        Assert.Contains("failed to start an instance of di-test", error, StringComparison.Ordinal);
        Assert.Contains("'di-test'", error, StringComparison.Ordinal);
        Assert.Contains(typeof(SharedCounter).FullName!, error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", server.Log, StringComparison.Ordinal);
        Assert.Equal(0, server.Server.Instances.Count);
    }

    [Fact]
    public void Server_PluginWithConstructorServicesWithoutProvider_RefusesToStart()
    {
        var error = Assert.Throws<KongServerStartException>(() => new PluginServer([DiTestPlugin.Descriptor], new KongServerOptions(), new ServerLog("t", KongLogLevel.None, TextWriter.Null)));
        Assert.Contains("'di-test' takes services", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddKongPlugin_RegistersTheDescriptorOnceAndInstanceInfoAsScoped()
    {
        var services = new ServiceCollection().AddKongPlugin<DiTestPlugin>().AddKongPlugin<DiTestPlugin>();
        Assert.Single(services, d => d.ServiceType == typeof(KongPluginDescriptor));
        Assert.Equal(ServiceLifetime.Scoped, services.Single(d => d.ServiceType == typeof(KongInstanceInfo)).Lifetime);
        using ServiceProvider provider = services.BuildServiceProvider();
        using IServiceScope scope = provider.CreateScope();
        var error = Assert.Throws<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<KongInstanceInfo>());
        Assert.Contains("only available in a plugin instance's scope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerLog_WithLogger_WritesThroughItOnTheWriterThread()
    {
        var logger = new ListLogger();
        var log = new ServerLog("p", KongLogLevel.Info, TextWriter.Null, logger: logger);
        log.Info("hello {not a placeholder}");
        log.Debug("filtered");
        log.Warn("careful");
        Assert.True(log.Flush(TimeSpan.FromSeconds(10)));
        await Task.Yield();
        Assert.Equal(new[] { (LogLevel.Information, "hello {not a placeholder}"), (LogLevel.Warning, "careful") }, logger.Records.ToArray());
        Assert.All(logger.Threads, name => Assert.Equal("Kong.Pdk log writer", name));
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<(LogLevel, string)> Records { get; } = new();

        public ConcurrentQueue<string?> Threads { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Records.Enqueue((logLevel, formatter(state, exception)));
            Threads.Enqueue(Thread.CurrentThread.Name);
        }
    }
}

/// <summary>A singleton: shared by every instance.</summary>
public sealed class SharedCounter : IDisposable
{
    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}

/// <summary>Scoped: one per plugin instance, disposed with it. Takes the instance's info from the container.</summary>
public sealed class PerInstanceState(KongInstanceInfo info) : IAsyncDisposable
{
    private int _events;

    public KongInstanceInfo Info { get; } = info;

    public int Events => Volatile.Read(ref _events);

    public bool Disposed { get; private set; }

    public void Count() => Interlocked.Increment(ref _events);

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return default;
    }
}

[KongPlugin("di-test", Version = "1.0.0")]
public sealed partial class DiTestPlugin
{
    public DiTestPlugin(SharedCounter shared, PerInstanceState state, KongInstanceInfo info, ILogger<DiTestPlugin> logger)
    {
        Shared = shared;
        State = state;
        Info = info;
        Logger = logger;
        Created.Enqueue(this);
    }

    internal static ConcurrentQueue<DiTestPlugin> Created { get; } = new();

    internal SharedCounter Shared { get; }

    internal PerInstanceState State { get; }

    internal KongInstanceInfo Info { get; }

    internal ILogger<DiTestPlugin> Logger { get; }

    public string Header { get; set; } = "x-default";

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        State.Count();
        await kong.Response.SetHeaderAsync(Header, Info.PluginId ?? "", cancellationToken);
    }
}
