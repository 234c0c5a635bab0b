using Kong.Pdk.Hosting;

// In Microsoft.Extensions.Hosting, next to IHost's own RunAsync, as .NET libraries place their IHost extensions.
namespace Microsoft.Extensions.Hosting;

/// <summary>Runs the Kong plugins registered in a generic host (docs/dependency-injection.md).</summary>
public static class KongHostExtensions
{
    /// <summary>
    /// Runs Kong's command line <paramref name="args"/> for the plugins registered with
    /// <c>services.AddKongPlugin&lt;T&gt;()</c>. <c>-dump</c>, <c>-help</c> and the other commands answer without
    /// starting the host. To serve, the host is started (its hosted services run), then the socket is bound; each plugin
    /// instance gets a scope of <see cref="IHost.Services"/>, and the server's own lines go through the host's
    /// <c>ILoggerFactory</c> (category <c>Kong.Pdk.Server</c>). SIGTERM, SIGINT or
    /// <see cref="IHostApplicationLifetime.StopApplication"/> stop the server: it drains within
    /// <see cref="KongServerOptions.ShutdownTimeout"/> (<c>-shutdown-timeout</c>), then the host stops within its own
    /// <c>HostOptions.ShutdownTimeout</c>.
    /// </summary>
    /// <param name="host">A built host; not started yet.</param>
    /// <param name="args">The command line Kong starts the plugin server with.</param>
    /// <param name="configure">Adjusts the server options after the command line was read.</param>
    /// <returns>The process exit code (see <see cref="KongPluginHost.RunAsync(string[], KongPluginDescriptor[])"/>).</returns>
    public static Task<int> RunKongPluginsAsync(this IHost host, string[] args, Action<KongServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(args);
        var lifetime = (IHostApplicationLifetime?)host.Services.GetService(typeof(IHostApplicationLifetime));
        return KongPluginHost.RunAsync(args, host.Services, configure, new KongHostLifetime
        {
            StartAsync = host.StartAsync,
            StopAsync = host.StopAsync,
            Stopping = lifetime?.ApplicationStopping ?? CancellationToken.None,
        });
    }
}
