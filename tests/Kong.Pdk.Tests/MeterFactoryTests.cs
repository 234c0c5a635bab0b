using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Kong.Pdk.Hosting;
using Kong.Pdk.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Kong.Pdk.Tests;

/// <summary>
/// The server's meter comes from the services' <see cref="IMeterFactory"/> when they have one (a host, or
/// <c>AddMetrics()</c>), so two hosts (or two tests) each see only their own server's measurements; without one the
/// server uses the process-wide static meter. In the telemetry collection: no other listener meanwhile.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class MeterFactoryTests
{
    [Fact]
    public async Task TwoServersWithTheirOwnMeterFactories_AListenerOfOneFactorySeesOnlyItsServer()
    {
        await using ServiceProvider servicesA = new ServiceCollection().AddMetrics().BuildServiceProvider();
        await using ServiceProvider servicesB = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factoryA = servicesA.GetRequiredService<IMeterFactory>();
        var factoryB = servicesB.GetRequiredService<IMeterFactory>();
        var plugin = new TestPlugin("meter-factory").On(KongPhase.Access, (_, _) => ValueTask.CompletedTask);
        var seen = new ConcurrentQueue<(string Instrument, object? Scope)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KongDiagnostics.MeterName) l.EnableMeasurementEvents(instrument); // every server's
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, _, _) => seen.Enqueue((instrument.Name, instrument.Meter.Scope)));
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => seen.Enqueue((instrument.Name, instrument.Meter.Scope)));
        listener.Start();

        await using var serverA = InProcessServer.Start(plugin, o => o.Services = servicesA);
        await using var serverB = InProcessServer.Start(plugin, o => o.Services = servicesB);
        await using var unhosted = InProcessServer.Start(plugin);
        foreach (InProcessServer server in new[] { serverB, unhosted, serverA, serverB })
        {
            await using KongConnection kong = await server.ConnectAsync();
            await server.StartInstanceAsync(kong, plugin.Name);
            Assert.Equal("ret", (await server.HandleEventAsync(kong, 7, "access")).Data);
        }

        int Events(object? scope) => seen.Count(m => m.Instrument == "kong.pdk.events" && ReferenceEquals(m.Scope, scope));
        await ProtocolConformanceTests.Eventually(() => Events(factoryA) + Events(factoryB) == 3, "servers A's and B's events measured");
        await Task.Delay(100);
        Assert.Equal(1, Events(factoryA)); // each server measures on its own factory's meter (the unhosted one's goes to
        Assert.Equal(2, Events(factoryB)); // the process-wide static meter, which other tests running meanwhile share)
        listener.RecordObservableInstruments();
        Assert.Contains(seen, m => m.Instrument == "kong.pdk.active_instances" && ReferenceEquals(m.Scope, factoryA));

        Assert.Same(factoryA, serverA.Server.Meters.Meter.Scope);
        Assert.NotSame(serverA.Server.Meters, serverB.Server.Meters);
        Assert.Null(unhosted.Server.Meters.Meter.Scope); // no factory: the static meter
    }
}
