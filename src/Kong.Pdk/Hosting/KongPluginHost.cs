using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Kong.Pdk.Server;
using Microsoft.Extensions.Logging;

namespace Kong.Pdk.Hosting;

/// <summary>
/// The plugin executable's entry point: <c>-dump</c> for Kong's <c>query_cmd</c>, otherwise the plugin server on
/// <c>&lt;prefix&gt;/&lt;name&gt;.socket</c> until SIGTERM or SIGINT. The source generator writes a <c>Main</c>
/// that calls it; a plugin with its own <c>Main</c> calls it directly:
/// <code>static Task&lt;int&gt; Main(string[] args) => KongPluginHost.RunAsync(args, MyPlugin.Descriptor);</code>
/// </summary>
public static class KongPluginHost
{
    /// <summary>Runs the command line <paramref name="args"/> for <paramref name="plugins"/>.</summary>
    /// <returns>The process exit code: 0 after <c>-dump</c>, <c>-help</c> or a clean shutdown; 1 when the server
    /// cannot start; 2 for a bad command line.</returns>
    public static Task<int> RunAsync(string[] args, params KongPluginDescriptor[] plugins)
        => RunAsync(args, configure: null, plugins);

    /// <summary>Like <see cref="RunAsync(string[], KongPluginDescriptor[])"/>, with code that adjusts the server
    /// options after the command line was read.</summary>
    public static Task<int> RunAsync(string[] args, Action<KongServerOptions>? configure, params KongPluginDescriptor[] plugins)
        => RunCoreAsync(args, configure, plugins, services: null, lifetime: null);

    /// <summary>
    /// Runs the command line <paramref name="args"/> for the plugins registered in <paramref name="services"/>
    /// (<c>services.AddKongPlugin&lt;MyPlugin&gt;()</c>): each instance gets a scope of <paramref name="services"/>
    /// (<see cref="KongServerOptions.Services"/>), and the server's own lines go through its <c>ILoggerFactory</c>
    /// when it has one. <c>-dump</c> and the other commands never start <paramref name="lifetime"/>.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Adjusts the server options after the command line was read.</param>
    /// <param name="lifetime">An application host to start before the socket is bound, stop after the server drained,
    /// and whose stopping signal stops the server (as SIGTERM does).</param>
    /// <returns>As <see cref="RunAsync(string[], KongPluginDescriptor[])"/>.</returns>
    public static Task<int> RunAsync(string[] args, IServiceProvider services, Action<KongServerOptions>? configure = null, KongHostLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var plugins = new List<KongPluginDescriptor>();
        if (services.GetService(typeof(IEnumerable<KongPluginDescriptor>)) is IEnumerable<KongPluginDescriptor> registered) plugins.AddRange(registered);
        return RunCoreAsync(args, configure, plugins.ToArray(), services, lifetime);
    }

    private static async Task<int> RunCoreAsync(string[] args, Action<KongServerOptions>? configure, KongPluginDescriptor[] plugins, IServiceProvider? services, KongHostLifetime? lifetime)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(plugins);
        TextWriter stderr = Console.Error;
        string program = ProgramName();
        HostCommandLine line = HostCommandLine.Parse(args, out string? error);
        if (error is not null)
        {
            await stderr.WriteLineAsync($"{program}: {error}").ConfigureAwait(false);
            await stderr.WriteLineAsync(HostCommandLine.Usage(program)).ConfigureAwait(false);
            return 2;
        }

        if (line.Help)
        {
            await stderr.WriteLineAsync(HostCommandLine.Usage(program)).ConfigureAwait(false);
            return 0;
        }

        if (plugins.Length == 0)
        {
            await stderr.WriteLineAsync($"{program}: no plugin to serve").ConfigureAwait(false);
            return 1;
        }

        List<KongPluginDescriptor> served = Select(plugins, line.SelectedPlugins, out error);
        if (error is not null)
        {
            await stderr.WriteLineAsync($"{program}: {error}").ConfigureAwait(false);
            return 2;
        }

        if (line.PluginNames)
        {
            foreach (KongPluginDescriptor plugin in served) await Console.Out.WriteLineAsync(plugin.Name).ConfigureAwait(false);
            return 0;
        }

        if (line.LuaSchema || line.LuaSchemaDirectory is not null)
        {
            return await WriteLuaSchemasAsync(line, served, plugins.Length, program, stderr).ConfigureAwait(false);
        }

        if (line.KongConf)
        {
            string executable = line.ExecutableName ?? (served.Count == 1 ? served[0].Name : program);
            await Console.Out.WriteAsync(KongConfSnippet.Write(served, plugins.Length, executable, line.InstallDir, line.Prefix)).ConfigureAwait(false);
            return 0;
        }

        if (line.Dump)
        {
            using Stream stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(PluginDump.Write(served)).ConfigureAwait(false);
            await stdout.FlushAsync().ConfigureAwait(false);
            return 0;
        }

        if (services is not null) line.Options.Services = services;
        configure?.Invoke(line.Options);
        string logName = served.Count == 1 ? served[0].Name : program;
        var log = new ServerLog(logName, line.Options.LogLevel, logger: line.Options.LogFormat == KongLogFormat.Logger ? ServerLogger(line.Options.Services) : null);
        string socketPath = line.SocketPath ?? Path.Combine(line.Prefix, logName + ".socket");

        WarnAboutDescriptorLimit(log, line.Options.MaxConnections);
        PluginServer server;
        Socket listener;
        bool started = false;
        try
        {
            server = new PluginServer(served, line.Options, log, EventRegistry.RandomStart());
            if (lifetime?.StartAsync is { } start)
            {
                // The application host first (its hosted services, such as telemetry exporters), then the socket.
                await start(CancellationToken.None).ConfigureAwait(false);
                started = true;
            }

            listener = server.Bind(socketPath);
        }
        catch (Exception ex) when (ex is KongServerStartException or ArgumentOutOfRangeException or IOException or UnauthorizedAccessException or SocketException
            || (lifetime is not null && !started && ex is not OutOfMemoryException))
        {
            // Every way the server cannot start ends here: exit 1 with one line that says why.
            log.Error(started || ex is KongServerStartException or ArgumentOutOfRangeException ? $"cannot start: {ex.Message}" : $"cannot start: the application host failed to start: {ex.GetType().FullName}: {ex.Message}");
            if (started) await StopLifetimeAsync(lifetime!, log).ConfigureAwait(false);
            log.Flush(TimeSpan.FromSeconds(2));
            return 1;
        }

        using var stop = new CancellationTokenSource();
        using CancellationTokenRegistration hostStopping = lifetime is null ? default : lifetime.Stopping.Register(static s => ((CancellationTokenSource)s!).Cancel(), stop);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        log.Info($"listening on {socketPath} (pid {server.Pid}; plugins: {string.Join(", ", served.Select(p => p.Name + " " + p.Version))})");
        await server.RunAsync(listener, socketPath, stop.Token).ConfigureAwait(false);
        if (lifetime is not null) await StopLifetimeAsync(lifetime, log).ConfigureAwait(false);
        log.Info("stopped");
        log.Flush(TimeSpan.FromSeconds(2)); // bounded: the reader of stderr may be gone
        return 0;

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            log.Info($"{context.Signal} received: stopping");
            stop.Cancel();
        }
    }

    /// <summary>Stops the application host after the server drained; its own shutdown timeout bounds it.</summary>
    private static async Task StopLifetimeAsync(KongHostLifetime lifetime, ServerLog log)
    {
        if (lifetime.StopAsync is not { } stopAsync) return;
        try
        {
            await stopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.Error($"stopping the application host failed: {ex.GetType().FullName}: {ex.Message}");
        }
    }

    /// <summary>The logger for the server's own lines when the application's services hold an
    /// <see cref="ILoggerFactory"/>; otherwise <see langword="null"/> (stderr, in the format Kong's log expects).</summary>
    private static ILogger? ServerLogger(IServiceProvider? services)
        => services?.GetService(typeof(ILoggerFactory)) is ILoggerFactory factory ? factory.CreateLogger(ServerLog.Category) : null;

    /// <summary><c>-lua-schema</c> prints one plugin's schema.lua; <c>-lua-schema-dir DIR</c> writes
    /// <c>DIR/&lt;name&gt;.schema.lua</c> for each plugin served, leaving a file alone when its text is already the same.</summary>
    private static async Task<int> WriteLuaSchemasAsync(HostCommandLine line, List<KongPluginDescriptor> served, int pluginsInExecutable, string program, TextWriter stderr)
    {
        foreach (KongPluginDescriptor plugin in served)
        {
            if (plugin.Name.Length == 0 || plugin.Name is "." or ".." || plugin.Name.IndexOfAny(['/', '\\', '\0']) >= 0)
            {
                await stderr.WriteLineAsync($"{program}: the plugin name '{plugin.Name}' cannot name a file").ConfigureAwait(false);
                return 2;
            }
        }

        if (line.LuaSchemaDirectory is null)
        {
            if (served.Count != 1)
            {
                await stderr.WriteLineAsync($"{program}: -lua-schema prints one plugin's schema and this executable has {pluginsInExecutable}: choose one with -plugin NAME, or use -lua-schema-dir DIR").ConfigureAwait(false);
                return 2;
            }

            using Stream stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(Encoding.UTF8.GetBytes(LuaSchemaWriter.Write(served[0]))).ConfigureAwait(false);
            await stdout.FlushAsync().ConfigureAwait(false);
            return 0;
        }

        try
        {
            Directory.CreateDirectory(line.LuaSchemaDirectory);
            foreach (KongPluginDescriptor plugin in served)
            {
                byte[] module = Encoding.UTF8.GetBytes(LuaSchemaWriter.Write(plugin));
                string path = Path.Combine(line.LuaSchemaDirectory, plugin.Name + ".schema.lua");
                if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(module)) continue;
                await File.WriteAllBytesAsync(path, module).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"{program}: cannot write the schema.lua files: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    /// <summary>Raises the soft open-file limit to the hard one (a NativeAOT executable does not inherit the JIT
    /// host's raise), and warns when <c>-max-connections</c> cannot be reached within it.</summary>
    private static void WarnAboutDescriptorLimit(ServerLog log, int maxConnections)
    {
        if (FileDescriptorLimit.RaiseSoftLimit() is not (ulong soft, ulong hard)) return;
        if (soft == ulong.MaxValue || (ulong)maxConnections + FileDescriptorLimit.Reserve <= soft) return;
        log.Warn($"-max-connections {maxConnections} is above what the open-file limit allows ({soft}, hard limit {(hard == ulong.MaxValue ? "unlimited" : hard.ToString(System.Globalization.CultureInfo.InvariantCulture))}; the server keeps about {FileDescriptorLimit.Reserve} for itself): past that, new connections wait until others close. Raise the limit (systemd LimitNOFILE=, ulimit -n, docker --ulimit nofile=) or lower -max-connections");
    }

    /// <summary>The executable's file name as installed (for a multi-plugin socket name and the usage text); the
    /// assembly name when running under the <c>dotnet</c> host.</summary>
    private static string ProgramName()
    {
        string? path = Environment.ProcessPath;
        string name = path is null ? "" : Path.GetFileNameWithoutExtension(path);
        return name.Length == 0 || name == "dotnet" ? AppDomain.CurrentDomain.FriendlyName : name;
    }

    private static List<KongPluginDescriptor> Select(KongPluginDescriptor[] plugins, List<string> selected, out string? error)
    {
        error = null;
        var byName = new SortedDictionary<string, KongPluginDescriptor>(StringComparer.Ordinal);
        foreach (KongPluginDescriptor plugin in plugins)
        {
            if (!byName.TryAdd(plugin.Name, plugin))
            {
                error = $"two plugins are named '{plugin.Name}'";
                return [];
            }
        }

        if (selected.Count == 0) return plugins.ToList();
        var result = new List<KongPluginDescriptor>(selected.Count);
        foreach (string name in selected)
        {
            if (!byName.TryGetValue(name, out KongPluginDescriptor? plugin))
            {
                error = $"unknown plugin '{name}' (this executable has: {string.Join(", ", byName.Keys)})";
                return [];
            }

            if (!result.Contains(plugin)) result.Add(plugin);
        }

        return result;
    }
}
