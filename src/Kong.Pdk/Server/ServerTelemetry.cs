using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>
/// The server's <see cref="ActivitySource"/> and <see cref="Meter"/> (names in <see cref="KongDiagnostics"/>,
/// reference in docs/observability.md). Process-wide, like the runtime's own sources. Every use is guarded by
/// <see cref="ActivitySource.HasListeners"/> or <see cref="Instrument.Enabled"/>, so nothing is measured, and
/// nothing allocated, while nobody listens.
/// </summary>
internal static class ServerTelemetry
{
    public const string PluginName = "kong.plugin.name";
    public const string Phase = "kong.phase";
    public const string Outcome = "kong.pdk.event.outcome";
    public const string InstanceId = "kong.plugin.instance.id";
    public const string EventId = "kong.pdk.event.id";
    public const string Method = "kong.pdk.method";
    public const string FailedClosed = "kong.pdk.fail_closed";
    public const string ErrorType = "error.type";

    private static readonly string? Version = typeof(ServerTelemetry).Assembly.GetName().Version?.ToString(3);

    public static readonly ActivitySource Source = new(KongDiagnostics.ActivitySourceName, Version);

    public static readonly Meter Meter = new(KongDiagnostics.MeterName, Version);

    public static readonly Counter<long> Events = Meter.CreateCounter<long>(
        "kong.pdk.events", "{event}", "Events (one phase of one request for one plugin instance) that ended, by plugin, phase and outcome.");

    public static readonly Histogram<double> EventDuration = CreateHistogram(
        "kong.pdk.event.duration", "From HandleEvent to the event's end (PDK round trips included), by plugin, phase and outcome.",
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);

    public static readonly UpDownCounter<long> ActiveEvents = Meter.CreateUpDownCounter<long>(
        "kong.pdk.active_events", "{event}", "Events running now (computing or waiting for Kong's step), by plugin and phase.");

    public static readonly Histogram<double> CallDuration = CreateHistogram(
        "kong.pdk.call.duration", "One PDK call's round trip, from sending it to Kong's step, by plugin and PDK method.",
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]);

    public static readonly Counter<long> FailClosed = Meter.CreateCounter<long>(
        "kong.pdk.fail_closed_responses", "{event}", "Events answered with kong.response.error(500) by the fail-closed policy, by plugin, phase and outcome (plugin_error or deadline).");

    public static readonly Counter<long> Abandoned = Meter.CreateCounter<long>(
        "kong.pdk.abandoned_events", "{event}", "Events the server gave up on, by plugin, phase and outcome: deadline (the handler computed too long), idle (no step from Kong), evicted (room for new events), shutdown.");

    public static readonly Counter<long> RejectedEvents = Meter.CreateCounter<long>(
        "kong.pdk.rejected_events", "{event}", "HandleEvents refused because the event limit was reached with no event waiting for a step, by plugin and phase.");

    /// <summary>The servers running in this process (usually one), which the observable instruments read.</summary>
    private static readonly ConcurrentDictionary<PluginServer, byte> Running = new();

    public static readonly ObservableUpDownCounter<long> ActiveInstances = Meter.CreateObservableUpDownCounter(
        "kong.pdk.active_instances", ObserveInstances, "{instance}", "Plugin instances (one per Kong plugin configuration) alive, by plugin.");

    public static readonly ObservableUpDownCounter<long> ActiveConnections = Meter.CreateObservableUpDownCounter(
        "kong.pdk.active_connections", ObserveConnections, "{connection}", "Connections from Kong being served.");

    public static readonly Counter<long> RejectedConnections = Meter.CreateCounter<long>(
        "kong.pdk.rejected_connections", "{connection}", "Connections closed as soon as accepted because the connection limit was reached.");

    /// <summary>The span name of an event, "{plugin} {phase}", one string per plugin and phase.</summary>
    private static readonly ConditionalWeakTable<KongPluginDescriptor, string?[]> SpanNames = new();

    /// <summary>PDK method names as strings, by the identity of their UTF-8 constant (see <see cref="MethodName"/>).</summary>
    private static readonly ConcurrentDictionary<byte[], string> MethodNames = new(ReferenceEqualityComparer.Instance);

    private const int MaxCachedMethodNames = 512;

    public static string OutcomeName(EventOutcome outcome) => outcome switch
    {
        EventOutcome.Ok => "ok",
        EventOutcome.Exit => "exit",
        EventOutcome.PluginError => "plugin_error",
        EventOutcome.Deadline => "deadline",
        EventOutcome.Idle => "idle",
        EventOutcome.Evicted => "evicted",
        _ => "shutdown",
    };

    public static string SpanName(KongPluginDescriptor plugin, KongPhase phase)
    {
        string?[] names = SpanNames.GetValue(plugin, static _ => new string?[8]);
        int index = (int)phase & 7;
        return names[index] ??= plugin.Name + " " + phase.ToWireName();
    }

    /// <summary>A PDK method's name: cached for the UTF-8 constants of <c>PdkMethods</c>; a name built per call (the
    /// generic <c>CallAsync</c>) is decoded each time once the cache is full.</summary>
    public static string MethodName(byte[] method)
    {
        if (MethodNames.TryGetValue(method, out string? name)) return name;
        name = Encoding.UTF8.GetString(method);
        if (MethodNames.Count < MaxCachedMethodNames) MethodNames.TryAdd(method, name);
        return name;
    }

    public static TagList PluginTags(KongPluginDescriptor plugin, KongPhase phase)
        => new() { { PluginName, plugin.Name }, { Phase, phase.ToWireName() } };

    public static TagList OutcomeTags(KongPluginDescriptor plugin, KongPhase phase, EventOutcome outcome)
        => new() { { PluginName, plugin.Name }, { Phase, phase.ToWireName() }, { Outcome, OutcomeName(outcome) } };

    /// <summary>A server starts serving: its instances and connections are observed until <see cref="Stopped"/>.</summary>
    public static void Started(PluginServer server) => Running.TryAdd(server, 0);

    public static void Stopped(PluginServer server) => Running.TryRemove(server, out _);

    /// <summary>Read when a listener collects (not per event): instances by plugin over the running servers.</summary>
    private static IEnumerable<Measurement<long>> ObserveInstances()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (PluginServer server in Running.Keys)
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
            measurements.Add(new Measurement<long>(pair.Value, new KeyValuePair<string, object?>(PluginName, pair.Key)));
        }

        return measurements;
    }

    private static long ObserveConnections()
    {
        long open = 0;
        foreach (PluginServer server in Running.Keys) open += server.ConnectionCount;
        return open;
    }

    private static Histogram<double> CreateHistogram(string name, string description, double[] buckets)
    {
#if NET9_0_OR_GREATER
        return Meter.CreateHistogram<double>(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });
#else
        _ = buckets;
        return Meter.CreateHistogram<double>(name, "s", description);
#endif
    }
}
