using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Kong.Pdk.Server;

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
    public static async Task<int> RunAsync(string[] args, Action<KongServerOptions>? configure, params KongPluginDescriptor[] plugins)
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

        if (line.InlineCompletions)
        {
            // Read by the runtime when the first socket operation starts, which is later than this: no thread-pool
            // hop per received message, at the price of running handlers on the socket engine's thread.
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        }

        configure?.Invoke(line.Options);
        string logName = served.Count == 1 ? served[0].Name : program;
        var log = new ServerLog(logName, line.Options.LogLevel);
        string socketPath = line.SocketPath ?? Path.Combine(line.Prefix, logName + ".socket");

        WarnAboutDescriptorLimit(log, line.Options.MaxConnections);
        PluginServer server;
        Socket listener;
        try
        {
            server = new PluginServer(served, line.Options, log, EventRegistry.RandomStart());
            listener = server.Bind(socketPath);
        }
        catch (Exception ex) when (ex is KongServerStartException or ArgumentOutOfRangeException or IOException or UnauthorizedAccessException or SocketException)
        {
            // Every way the server cannot start ends here: exit 1 with one line that says why.
            log.Error($"cannot start: {ex.Message}");
            log.Flush(TimeSpan.FromSeconds(2));
            return 1;
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        log.Info($"listening on {socketPath} (pid {server.Pid}; plugins: {string.Join(", ", served.Select(p => p.Name + " " + p.Version))})");
        await server.RunAsync(listener, socketPath, stop.Token).ConfigureAwait(false);
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
