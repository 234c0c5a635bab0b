using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kong.Pdk.Extensions.Hosting;

/// <summary>
/// The generic host a plugin executable runs in when its plugins take services: what the generated <c>Main</c>
/// calls (it registers each plugin and calls its <c>ConfigureServices</c> hook), and what a hand-written <c>Main</c> may
/// call too.
/// </summary>
public static class KongPluginApplication
{
    /// <summary>
    /// Creates a host builder (<see cref="Host.CreateApplicationBuilder()"/>: appsettings.json, environment
    /// variables, console logging on stderr, one line per record: <see cref="KongLoggingBuilderExtensions.AddKongConsoleDefaults"/>), lets <paramref name="configure"/> register services, builds the host and runs
    /// <see cref="KongHostExtensions.RunKongPluginsAsync"/>. Kong's command line is not given to the host's
    /// configuration: its single-dash flags (<c>-dump</c>, <c>-kong-prefix</c>) are the plugin server's.
    /// </summary>
    /// <param name="args">The command line Kong starts the plugin server with.</param>
    /// <param name="configure">Registers the plugins and their services.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(string[] args, Action<HostApplicationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configure);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.AddKongConsoleDefaults();
        configure(builder);
        using IHost host = builder.Build();
        return await host.RunKongPluginsAsync(args).ConfigureAwait(false);
    }
}
