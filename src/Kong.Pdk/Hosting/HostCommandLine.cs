using System.Globalization;

namespace Kong.Pdk.Hosting;

/// <summary>The plugin executable's command line (kong-protocol.md §1.2), parsed.</summary>
internal sealed class HostCommandLine
{
    public const string DefaultPrefix = "/usr/local/kong";

    public bool Dump { get; private set; }

    public bool Help { get; private set; }

    public string Prefix { get; private set; } = DefaultPrefix;

    public string? SocketPath { get; private set; }

    public List<string> SelectedPlugins { get; } = [];

    public bool KongConf { get; private set; }

    public bool PluginNames { get; private set; }

    public bool LuaSchema { get; private set; }

    public string? LuaSchemaDirectory { get; private set; }

    public string InstallDir { get; private set; } = "/usr/local/bin";

    public string? ExecutableName { get; private set; }

    public KongServerOptions Options { get; } = new();

    public static string Usage(string program) => $"""
        Usage: {program} [options]

        A Kong external plugin server (MsgPack:1). Kong starts it with pluginserver_<name>_start_cmd
        and reads its plugin list with pluginserver_<name>_query_cmd (-dump).

          -dump                      print the plugin info JSON to stdout and exit
          -kong-conf                 print the kong.conf lines for this executable and exit
                                     (with -install-dir DIR, default /usr/local/bin, and -exe-name NAME)
          -plugin-names              print the plugin names, one per line, and exit
          -lua-schema                print the plugin's schema as a Lua module (schema.lua) and exit; with several
                                     plugins in the executable, choose one with -plugin NAME
          -lua-schema-dir DIR        write <plugin name>.schema.lua into DIR for every plugin served, and exit
          -kong-prefix DIR, -p DIR   directory of the socket (default {DefaultPrefix})
          -socket PATH               explicit socket path (default <prefix>/<plugin name>.socket)
          -plugin NAME               serve (and dump) only this plugin; repeatable
          -log-level LEVEL           debug, info, warn, error or none (default info)
          -log-format FORMAT         logger (through the host's ILoggerFactory when there is one) or kong
                                     (Kong's stderr line format always) (default logger)
          -max-message-size BYTES    largest message accepted (default 16777216)
          -max-depth N               deepest nesting accepted (default 64)
          -memory-budget BYTES       total retained for configurations, step data and messages being
                                     received (default 536870912)
          -max-connections N         connections served at once (default 4096)
          -max-events N              events in flight (default 10000)
          -max-events-per-connection N
                                     events waiting for a step on one connection; past it that connection's
                                     oldest are abandoned (default 1000)
          -event-idle-timeout SEC    wait for Kong's next step before abandoning an event (default 90)
          -handler-deadline SEC      longest a handler may compute between PDK calls (default 30)
          -connection-idle-timeout SEC
                                     close a connection with nothing in progress for this long
                                     (default 75, above Kong's 60 s keepalive)
          -partial-message-timeout SEC
                                     close a connection whose message takes longer to arrive (default 30)
          -instance-ttl SEC          collect instances idle for this long (default 600)
          -shutdown-timeout SEC      on SIGTERM, serve this long at most (default 5)
          -no-parent-watch           keep running when the parent process dies (default: exit when orphaned)
          -connection-mode MODE      loop (default: event loops with epoll, Linux; bounded threads; handlers
                                     must not block) or thread (a thread per connection: for handlers that block)
          -event-loops N             event-loop threads in loop mode (default 0: one per processor)
          -trace-pdk-calls           a child span per PDK call of a traced event (docs/observability.md)
          -continue-request-trace    event spans continue the client's W3C traceparent (one more PDK call
                                     per traced event; docs/observability.md)
          -help, -h                  this text

        Options may be written with one dash or two.
        """;

    /// <summary>Parses <paramref name="args"/>; returns an error message, or null.</summary>
    public static HostCommandLine Parse(IReadOnlyList<string> args, out string? error)
    {
        var line = new HostCommandLine();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg.StartsWith('-') ? arg[1..] : "";
            string? inlineValue = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                inlineValue = name[(eq + 1)..];
                name = name[..eq];
            }

            string? Value()
            {
                if (inlineValue is not null) return inlineValue;
                if (i + 1 < args.Count) return args[++i];
                return null;
            }

            switch (name)
            {
                case "dump":
                    line.Dump = true;
                    break;
                case "kong-conf":
                    line.KongConf = true;
                    break;
                case "plugin-names":
                    line.PluginNames = true;
                    break;
                case "lua-schema":
                    line.LuaSchema = true;
                    break;
                case "lua-schema-dir":
                    line.LuaSchemaDirectory = Value() ?? Missing(arg, ref error);
                    break;
                case "install-dir":
                    line.InstallDir = Value() ?? Missing(arg, ref error);
                    break;
                case "exe-name":
                    line.ExecutableName = Value() ?? Missing(arg, ref error);
                    break;
                case "help" or "h":
                    line.Help = true;
                    break;
                case "kong-prefix" or "p" or "prefix":
                    line.Prefix = Value() ?? Missing(arg, ref error);
                    break;
                case "socket" or "socket-path":
                    line.SocketPath = Value() ?? Missing(arg, ref error);
                    break;
                case "plugin":
                    line.SelectedPlugins.Add(Value() ?? Missing(arg, ref error));
                    break;
                case "connection-mode":
                    string mode = Value() ?? Missing(arg, ref error);
                    KongConnectionMode? parsedMode = mode.ToLowerInvariant() switch
                    {
                        "loop" or "event-loop" or "eventloop" => KongConnectionMode.EventLoop,
                        "thread" => KongConnectionMode.Thread,
                        _ => null,
                    };
                    if (parsedMode is { } known) line.Options.ConnectionMode = known;
                    else error ??= $"unknown connection mode '{mode}' (loop or thread)";
                    break;
                case "event-loops":
                    line.Options.EventLoops = Int(arg, Value(), ref error);
                    break;
                case "trace-pdk-calls":
                    line.Options.TracePdkCalls = true;
                    break;
                case "continue-request-trace":
                    line.Options.ContinueRequestTrace = true;
                    break;
                case "no-parent-watch":
                    line.Options.ExitWhenOrphaned = false;
                    break;
                case "log-level":
                    string level = Value() ?? Missing(arg, ref error);
                    if (Enum.TryParse(level, ignoreCase: true, out KongLogLevel parsed) && Enum.IsDefined(parsed)) line.Options.LogLevel = parsed;
                    else error ??= $"unknown log level '{level}'";
                    break;
                case "log-format":
                    string format = Value() ?? Missing(arg, ref error);
                    if (string.Equals(format, "logger", StringComparison.OrdinalIgnoreCase)) line.Options.LogFormat = KongLogFormat.Logger;
                    else if (string.Equals(format, "kong", StringComparison.OrdinalIgnoreCase)) line.Options.LogFormat = KongLogFormat.Kong;
                    else error ??= $"unknown log format '{format}' (logger or kong)";
                    break;
                case "max-message-size":
                    line.Options.MaxMessageSize = Int(arg, Value(), ref error);
                    break;
                case "max-depth":
                    line.Options.MaxNestingDepth = Int(arg, Value(), ref error);
                    break;
                case "memory-budget":
                    line.Options.MemoryBudget = Long(arg, Value(), ref error);
                    break;
                case "max-connections":
                    line.Options.MaxConnections = Int(arg, Value(), ref error);
                    break;
                case "max-events":
                    line.Options.MaxEventsInFlight = Int(arg, Value(), ref error);
                    break;
                case "max-events-per-connection":
                    line.Options.MaxEventsPerConnection = Int(arg, Value(), ref error);
                    break;
                case "event-idle-timeout":
                    line.Options.EventIdleTimeout = Seconds(arg, Value(), ref error);
                    break;
                case "handler-deadline":
                    line.Options.HandlerDeadline = Seconds(arg, Value(), ref error);
                    break;
                case "connection-idle-timeout":
                    line.Options.ConnectionIdleTimeout = Seconds(arg, Value(), ref error);
                    break;
                case "partial-message-timeout":
                    line.Options.PartialMessageTimeout = Seconds(arg, Value(), ref error);
                    break;
                case "instance-ttl":
                    line.Options.InstanceIdleTtl = Seconds(arg, Value(), ref error);
                    break;
                case "shutdown-timeout":
                    line.Options.ShutdownTimeout = Seconds(arg, Value(), ref error);
                    break;
                default:
                    error ??= $"unknown option '{arg}'";
                    break;
            }
        }

        return line;
    }

    private static string Missing(string arg, ref string? error)
    {
        error ??= $"option '{arg}' needs a value";
        return "";
    }

    private static int Int(string arg, string? value, ref string? error)
    {
        if (value is not null && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0) return n;
        error ??= $"option '{arg}' needs a positive integer";
        return 1;
    }

    private static long Long(string arg, string? value, ref string? error)
    {
        if (value is not null && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n > 0) return n;
        error ??= $"option '{arg}' needs a positive integer";
        return 1;
    }

    private static TimeSpan Seconds(string arg, string? value, ref string? error)
    {
        if (value is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 && s < 1e7) return TimeSpan.FromSeconds(s);
        error ??= $"option '{arg}' needs a positive number of seconds";
        return TimeSpan.FromSeconds(1);
    }
}
