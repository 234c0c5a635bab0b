namespace Kong.Pdk.Hosting;

/// <summary>
/// The names under which the plugin server publishes its traces and metrics through <c>System.Diagnostics</c>
/// (an <see cref="System.Diagnostics.ActivitySource"/> and a <see cref="System.Diagnostics.Metrics.Meter"/>), for
/// OpenTelemetry's <c>AddSource</c>/<c>AddMeter</c> or a listener of your own. Nothing is measured until something
/// listens. The spans, instruments and attributes are listed in docs/observability.md.
/// </summary>
public static class KongDiagnostics
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: one span per event, and one per PDK call
    /// when <see cref="KongServerOptions.TracePdkCalls"/> is set.</summary>
    public const string ActivitySourceName = "Kong.Pdk";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name: events, durations, PDK round trips,
    /// failures, limits, instances and connections.</summary>
    public const string MeterName = "Kong.Pdk";
}
