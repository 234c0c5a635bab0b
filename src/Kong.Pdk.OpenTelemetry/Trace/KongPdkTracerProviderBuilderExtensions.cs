using Kong.Pdk.Hosting;

namespace OpenTelemetry.Trace;

/// <summary>Kong.Pdk's traces for an OpenTelemetry <see cref="TracerProviderBuilder"/>.</summary>
public static class KongPdkTracerProviderBuilderExtensions
{
    /// <summary>
    /// Exports the plugin server's spans: one per Kong event (<c>{plugin} {phase}</c>, with the plugin, phase,
    /// instance and outcome), and one per PDK call when <see cref="KongServerOptions.TracePdkCalls"/> is set. With
    /// <see cref="KongServerOptions.ContinueRequestTrace"/>, event spans continue the client's W3C trace.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static TracerProviderBuilder AddKongPdkInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(KongDiagnostics.ActivitySourceName);
    }
}
