namespace Kong.Pdk.Hosting;

/// <summary>
/// An application host around the plugin server (for example <c>Microsoft.Extensions.Hosting</c>'s <c>IHost</c>, which
/// Kong.Pdk.Extensions.Hosting wires up): started before the socket is bound, stopped after the server drained, and
/// its stopping signal stops the server the way SIGTERM does. See docs/dependency-injection.md.
/// </summary>
public sealed class KongHostLifetime
{
    /// <summary>Starts the host (its hosted services). A failure stops the server from starting (exit code 1).</summary>
    public Func<CancellationToken, Task>? StartAsync { get; init; }

    /// <summary>Stops the host once the server drained (its own shutdown timeout applies).</summary>
    public Func<CancellationToken, Task>? StopAsync { get; init; }

    /// <summary>Signalled when the host is asked to stop (<c>IHostApplicationLifetime.ApplicationStopping</c>): the server
    /// then drains within <see cref="KongServerOptions.ShutdownTimeout"/>, as on SIGTERM.</summary>
    public CancellationToken Stopping { get; init; }
}
