using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>
/// The server's <see cref="Meter"/> (<see cref="KongDiagnostics.MeterName"/>) and its instruments (reference in
/// docs/observability.md). When the server's services hold an <see cref="IMeterFactory"/> (a generic host, or
/// <c>services.AddMetrics()</c>), the meter comes from it, as Microsoft's guidance asks of libraries: each container
/// (each host, each test) has its own meter, which a listener can tell apart by <see cref="Instrument.Meter"/>'s
/// <see cref="Meter.Scope"/>, and the container disposes it. Without one, every server of the process shares a static
/// meter. Every use is guarded by <see cref="Instrument.Enabled"/>: nothing is measured, and nothing allocated, while
/// nobody listens.
/// </summary>
internal sealed class ServerMeters
{
    /// <summary>One set of instruments per meter: a factory hands the same meter to every server of its container.</summary>
    private static readonly ConditionalWeakTable<Meter, ServerMeters> ByMeter = new();

    private static ServerMeters? s_shared;

    /// <summary>The servers using these instruments (usually one), which the observable instruments read.</summary>
    private readonly ConcurrentDictionary<PluginServer, byte> _running = new();

    private ServerMeters(Meter meter)
    {
        Meter = meter;
        Events = meter.CreateCounter<long>(
            "kong.pdk.events", "{event}", "Events (one phase of one request for one plugin instance) that ended, by plugin, phase and outcome.");
        EventDuration = CreateHistogram(meter,
            "kong.pdk.event.duration", "From HandleEvent to the event's end (PDK round trips included), by plugin, phase and outcome.",
            [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
        ActiveEvents = meter.CreateUpDownCounter<long>(
            "kong.pdk.active_events", "{event}", "Events running now (computing or waiting for Kong's step), by plugin and phase.");
        CallDuration = CreateHistogram(meter,
            "kong.pdk.call.duration", "One PDK call's round trip, from sending it to Kong's step, by plugin and PDK method.",
            [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]);
        FailClosed = meter.CreateCounter<long>(
            "kong.pdk.fail_closed_responses", "{event}", "Events answered with kong.response.error(500) by the fail-closed policy, by plugin, phase and outcome (plugin_error or deadline).");
        Abandoned = meter.CreateCounter<long>(
            "kong.pdk.abandoned_events", "{event}", "Events the server gave up on, by plugin, phase and outcome: deadline (the handler computed too long), idle (no step from Kong), evicted (room for new events), shutdown.");
        RejectedEvents = meter.CreateCounter<long>(
            "kong.pdk.rejected_events", "{event}", "HandleEvents refused because the event limit was reached with no event waiting for a step, by plugin and phase.");
        meter.CreateObservableUpDownCounter(
            "kong.pdk.active_instances", ObserveInstances, "{instance}", "Plugin instances (one per Kong plugin configuration) alive, by plugin.");
        meter.CreateObservableUpDownCounter(
            "kong.pdk.active_connections", ObserveConnections, "{connection}", "Connections from Kong being served.");
        RejectedConnections = meter.CreateCounter<long>(
            "kong.pdk.rejected_connections", "{connection}", "Connections closed as soon as accepted because the connection limit was reached.");
    }

    /// <summary>The static meter of servers without an <see cref="IMeterFactory"/>, created on first use.</summary>
    public static ServerMeters Shared
        => LazyInitializer.EnsureInitialized(ref s_shared, static () => new ServerMeters(new Meter(KongDiagnostics.MeterName, ServerTelemetry.Version)));

    public Meter Meter { get; }

    public Counter<long> Events { get; }

    public Histogram<double> EventDuration { get; }

    public UpDownCounter<long> ActiveEvents { get; }

    public Histogram<double> CallDuration { get; }

    public Counter<long> FailClosed { get; }

    public Counter<long> Abandoned { get; }

    public Counter<long> RejectedEvents { get; }

    public Counter<long> RejectedConnections { get; }

    /// <summary>The instruments for a server with <paramref name="services"/>: on the meter of their
    /// <see cref="IMeterFactory"/> when they have one, else <see cref="Shared"/>.</summary>
    public static ServerMeters For(IServiceProvider? services)
    {
        if (services?.GetService(typeof(IMeterFactory)) is not IMeterFactory factory) return Shared;
        Meter meter = factory.Create(new MeterOptions(KongDiagnostics.MeterName) { Version = ServerTelemetry.Version });
        lock (ByMeter) return ByMeter.GetValue(meter, static m => new ServerMeters(m));
    }

    /// <summary>A server starts serving: its instances and connections are observed until <see cref="Stopped"/>.</summary>
    public void Started(PluginServer server) => _running.TryAdd(server, 0);

    public void Stopped(PluginServer server) => _running.TryRemove(server, out _);

    /// <summary>Read when a listener collects (not per event): instances by plugin over the running servers.</summary>
    private IEnumerable<Measurement<long>> ObserveInstances()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (PluginServer server in _running.Keys)
        {
            foreach (KongPluginDescriptor plugin in server.Plugins) counts.TryAdd(plugin.Name, 0);
            foreach (PluginInstance instance in server.Instances.Snapshot())
            {
                counts[instance.Descriptor.Name] = counts.GetValueOrDefault(instance.Descriptor.Name) + 1;
            }
        }

        var measurements = new List<Measurement<long>>(counts.Count);
        foreach (KeyValuePair<string, long> pair in counts)
        {
            measurements.Add(new Measurement<long>(pair.Value, new KeyValuePair<string, object?>(ServerTelemetry.PluginName, pair.Key)));
        }

        return measurements;
    }

    private long ObserveConnections()
    {
        long open = 0;
        foreach (PluginServer server in _running.Keys) open += server.ConnectionCount;
        return open;
    }

    private static Histogram<double> CreateHistogram(Meter meter, string name, string description, double[] buckets)
    {
#if NET9_0_OR_GREATER
        return meter.CreateHistogram<double>(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });
#else
        _ = buckets;
        return meter.CreateHistogram<double>(name, "s", description);
#endif
    }
}
