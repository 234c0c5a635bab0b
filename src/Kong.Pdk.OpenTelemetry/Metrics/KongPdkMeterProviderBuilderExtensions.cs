using Kong.Pdk.Hosting;

namespace OpenTelemetry.Metrics;

/// <summary>Kong.Pdk's metrics for an OpenTelemetry <see cref="MeterProviderBuilder"/>.</summary>
public static class KongPdkMeterProviderBuilderExtensions
{
    /// <summary>
    /// Exports the plugin server's instruments (<c>kong.pdk.events</c>, <c>kong.pdk.event.duration</c>,
    /// <c>kong.pdk.call.duration</c>, <c>kong.pdk.fail_closed_responses</c>, <c>kong.pdk.abandoned_events</c>,
    /// <c>kong.pdk.active_events</c>, <c>kong.pdk.active_instances</c>, <c>kong.pdk.active_connections</c>,
    /// <c>kong.pdk.rejected_events</c>, <c>kong.pdk.rejected_connections</c>; see docs/observability.md).
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static MeterProviderBuilder AddKongPdkInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(KongDiagnostics.MeterName);
    }
}
