using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using Kong.Pdk.Hosting;

namespace Kong.Pdk.Server;

/// <summary>
/// The server's <see cref="ActivitySource"/> (name in <see cref="KongDiagnostics"/>, reference in
/// docs/observability.md), process-wide like the runtime's own sources, and the tag names and texts its spans and
/// metrics share; the instruments are a server's <see cref="ServerMeters"/>. Every use is guarded by
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

    public static readonly string? Version = typeof(ServerTelemetry).Assembly.GetName().Version?.ToString(3);

    public static readonly ActivitySource Source = new(KongDiagnostics.ActivitySourceName, Version);

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
}
