using System.Diagnostics.Metrics;
using Kong.Pdk.Hosting;
using Kong.Pdk.Server;
using Kong.Pdk.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Kong.Pdk.Tests;

/// <summary>
/// An instance closed (or replaced, or collected) while an event on it starts or runs: the event keeps the instance's
/// service scope alive and completes with live services; the scope is disposed exactly once, after that event ended.
/// In the telemetry collection: a <see cref="MeterListener"/> holds the event at its start (the server reports the
/// event as active there) while Kong's CloseInstance arrives on another connection.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class InstanceCloseRaceTests
{
    [Fact]
    public async Task CloseInstance_WhileAnEventStarts_EventUsesLiveServices_ScopeDisposedOnceAfterIt()
    {
        await using ServiceProvider services = new ServiceCollection()
            .AddScoped<DisposalProbe>()
            .AddKongPlugin<CloseRacePlugin>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        await using var server = InProcessServer.Start(CloseRacePlugin.Descriptor, o => o.Services = services);
        await using KongConnection kong = await server.ConnectAsync();
        await using KongConnection closer = await server.ConnectAsync();
        long id = await server.StartInstanceAsync(kong, "close-race");
        DisposalProbe probe = CloseRacePlugin.Created.Single().Probe;

        RpcAnswer? closed = null;
        int held = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KongDiagnostics.MeterName && instrument.Name == "kong.pdk.active_events") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (value != 1 || !IsOurs(tags) || Interlocked.Exchange(ref held, 1) != 0) return;

            // The event is starting on kong's connection: Kong closes the instance on another connection now, and
            // whatever disposal that starts gets its time before the handler runs.
            closed = closer.CallAsync(server.NextMsgId(), "plugin.CloseInstance", id).GetAwaiter().GetResult();
            SpinWait.SpinUntil(() => probe.Disposals > 0, TimeSpan.FromMilliseconds(500));
        });
        listener.Start();

        RpcAnswer call = await server.HandleEventAsync(kong, id, "access");

        Assert.Equal(1, held);
        Assert.Null(closed?.Error);
        Assert.Equal(0, server.Server.Instances.Count);
        Assert.Equal("kong.response.set_header", call.CallMethod); // not the fail-closed error of an ObjectDisposedException
        Assert.Equal(0, probe.Disposals);
        Assert.Equal("ret", (await server.StepAsync(kong, call.EventId, null, hasData: false)).Data);
        await ProtocolConformanceTests.Eventually(() => probe.Disposals > 0, "the closed instance's scope disposed once its event ended");
        await Task.Delay(50);
        Assert.Equal(1, probe.Disposals);
        Assert.Equal(2, probe.Uses); // before and after the PDK call, both while alive
        Assert.DoesNotContain(nameof(ObjectDisposedException), server.Log, StringComparison.Ordinal);

        // A later event on the closed id: Kong is told to restart its instances.
        Assert.Contains("no plugin instance", Assert.IsType<string>((await server.HandleEventAsync(kong, id, "access")).Error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shutdown_WithAHandlerThatOutlivesTheDrain_ScopeDisposedOnceAfterTheHandlerEnds()
    {
        await using ServiceProvider services = new ServiceCollection()
            .AddScoped<DisposalProbe>()
            .AddKongPlugin<SlowShutdownPlugin>()
            .BuildServiceProvider();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SlowShutdownPlugin.Release = release.Task;
        var server = InProcessServer.Start(SlowShutdownPlugin.Descriptor, o => o.Services = services);
        DisposalProbe probe;
        await using (server)
        {
            await using KongConnection kong = await server.ConnectAsync();
            long id = await server.StartInstanceAsync(kong, "slow-shutdown");
            probe = SlowShutdownPlugin.Created.Single().Probe;
            _ = server.HandleEventAsync(kong, id, "access"); // its handler waits for release, ignoring cancellation
            await SlowShutdownPlugin.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the handler waits
        }

        // The server has stopped (drain and shutdown timeout passed) while the handler still runs.
        Assert.True(server.Run.IsCompleted);
        Assert.Equal(0, probe.Disposals);
        release.SetResult();
        await ProtocolConformanceTests.Eventually(() => probe.Disposals > 0, "the scope disposed once the handler ended");
        Assert.Equal(1, probe.Uses);
        Assert.Equal(1, probe.Disposals);
    }

    [Fact]
    public void PluginInstance_RetiredAfterTheLookup_RefusesTheEvent_ScopeDisposedOnceAfterTheLastEvent()
    {
        using ServiceProvider services = new ServiceCollection().AddScoped<DisposalProbe>().BuildServiceProvider();
        var log = new ServerLog("t", KongLogLevel.None, TextWriter.Null);
        InstanceServices scope = InstanceServices.Create(services, new KongInstanceInfo("close-race", 1, null, null, 1, null), log);
        var probe = (DisposalProbe)scope.GetRequiredService(typeof(DisposalProbe));
        var instance = new PluginInstance(1, CloseRacePlugin.Descriptor, new NoHandler(), 0, services: scope);

        Assert.True(instance.TryBeginEvent());
        Assert.True(instance.TryBeginEvent());
        instance.Retire();
        instance.Retire();
        Assert.False(instance.TryBeginEvent()); // found in the registry before the close, starting after it
        instance.EventEnded();
        Assert.False(scope.IsDisposed);
        instance.EventEnded();
        SpinWait.SpinUntil(() => probe.Disposals > 0, TimeSpan.FromSeconds(10));
        Assert.Equal(1, probe.Disposals);
        Assert.Equal(0, instance.RunningEvents);
        Assert.True(instance.IsRetired);
    }

    private static bool IsOurs(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "kong.plugin.name" && Equals(tag.Value, "close-race")) return true;
        }

        return false;
    }

    private sealed class NoHandler : IKongPluginInstance
    {
        public ValueTask InvokeAsync(KongPhase phase, IKong kong, CancellationToken cancellationToken) => default;
    }
}

/// <summary>A scoped service that counts its disposals and refuses to be used once disposed.</summary>
public sealed class DisposalProbe : IDisposable
{
    private int _disposals;
    private int _uses;

    public int Disposals => Volatile.Read(ref _disposals);

    public int Uses => Volatile.Read(ref _uses);

    public void Use()
    {
        ObjectDisposedException.ThrowIf(Disposals > 0, this);
        Interlocked.Increment(ref _uses);
    }

    public void Dispose() => Interlocked.Increment(ref _disposals);
}

[KongPlugin("close-race", Version = "1.0.0")]
public sealed partial class CloseRacePlugin
{
    public CloseRacePlugin(DisposalProbe probe)
    {
        Probe = probe;
        Created.Enqueue(this);
    }

    internal static System.Collections.Concurrent.ConcurrentQueue<CloseRacePlugin> Created { get; } = new();

    internal DisposalProbe Probe { get; }

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        Probe.Use();
        await kong.Response.SetHeaderAsync("x-close-race", "1", cancellationToken);
        Probe.Use();
    }
}

[KongPlugin("slow-shutdown", Version = "1.0.0")]
public sealed partial class SlowShutdownPlugin
{
    public SlowShutdownPlugin(DisposalProbe probe)
    {
        Probe = probe;
        Created.Enqueue(this);
    }

    internal static System.Collections.Concurrent.ConcurrentQueue<SlowShutdownPlugin> Created { get; } = new();

    internal static Task Release { get; set; } = Task.CompletedTask;

    internal static TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal DisposalProbe Probe { get; }

    public async ValueTask Access(IKong kong, CancellationToken cancellationToken)
    {
        Waiting.TrySetResult();
        await Release; // ignores the cancellation of the shutdown
        Probe.Use();
    }
}
