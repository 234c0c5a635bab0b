using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

// In Microsoft.Extensions.Logging, next to AddConsole, as .NET libraries place their ILoggingBuilder extensions.
namespace Microsoft.Extensions.Logging;

/// <summary>Console logging suited to a Kong plugin server (docs/dependency-injection.md).</summary>
public static class KongLoggingBuilderExtensions
{
    /// <summary>
    /// Makes the console logger write every level to stderr (<see cref="ConsoleLoggerOptions.LogToStandardErrorThreshold"/>
    /// <see cref="LogLevel.Trace"/>) and the simple format one line per record
    /// (<see cref="Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions"/>: <c>SingleLine</c>): Kong copies a plugin
    /// server's stderr into its error log line by line, and stdout is where <c>-dump</c> answers Kong. These are
    /// defaults: they are applied before the <c>Logging:Console</c> configuration section, which still overrides them.
    /// <see cref="Kong.Pdk.Extensions.Hosting.KongPluginApplication.RunAsync"/> (the generated <c>Main</c>) calls this;
    /// call it on your own <c>HostApplicationBuilder.Logging</c> before <c>RunKongPluginsAsync</c>.
    /// </summary>
    /// <param name="builder">The host's logging builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ILoggingBuilder AddKongConsoleDefaults(this ILoggingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // First in the list of option setups: the configuration bound by AddConsole comes after and wins.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IConfigureOptions<ConsoleLoggerOptions>>(
            new ConfigureNamedOptions<ConsoleLoggerOptions>(Options.Options.DefaultName, static o =>
            {
                o.LogToStandardErrorThreshold = LogLevel.Trace;
                o.FormatterName = ConsoleFormatterNames.Simple; // named: without a name the provider rebuilds the simple formatter's options from legacy ones
            })));
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IConfigureOptions<SimpleConsoleFormatterOptions>>(
            new ConfigureNamedOptions<SimpleConsoleFormatterOptions>(Options.Options.DefaultName, static o => o.SingleLine = true)));
        return builder;
    }
}
