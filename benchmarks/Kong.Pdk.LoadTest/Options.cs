using System.Globalization;

namespace Kong.Pdk.LoadTest;

internal sealed class Options
{
    public const string Usage = """
        Usage:
          Kong.Pdk.LoadTest --socket PATH [--server-cmd "COMMAND"] [options]   play Kong against a MsgPack:1 server
          Kong.Pdk.LoadTest --raw-echo-server PATH [--calls N] [--payload N]   serve the raw floor on PATH

        Server:
          --server-cmd CMD       start CMD (via /bin/sh -c "exec CMD"), wait for --socket, kill it at the end
          --server-log FILE      where the server's stdout/stderr go (default /tmp/kong-loadtest-server.log)
          --server-pid PID       the server's pid when it is already running (for CPU and RSS figures)
          --startup-timeout S    wait this long for the socket (default 30)
          --plugin NAME          plugin name for StartInstance (default hello-dotnet)
          --message TEXT         the plugin's config "message" (default hello)
          --config JSON          the whole Config JSON (default {"message":M,"calls":N,"__seq__":7})
        Workload:
          --concurrency N, -c N  requests in flight at once (default 4)
          --workers N            simulated nginx workers, each with its own connection pool and msgid counter (default 2)
          --client-mode MODE     loop (default): event-loop threads (epoll, nonblocking sockets) multiplex the requests
                                 in flight, as nginx does; threads: a blocking thread per request in flight (costlier)
          --loops N              event-loop threads in loop mode (default: one per worker, as nginx runs one event loop per
                                 worker process; worker w runs on loop w mod N)
          --duration S, -d S     measure for S seconds (default 5)
          --count N, -n N        measure N events instead of a duration
          --warmup S, -w S       warm up for S seconds first (default 1)
          --calls N              PDK calls per event: N-1 get_header + 1 set_header (default 2 = HelloPlugin)
          --payload N            size of the host header value in bytes (default 11, "example.com")
        Output:
          --label TEXT           row label (default the plugin name)
          --markdown FILE        append a row to a markdown table in FILE (header written when new)
          --quiet, -q            no progress line
          --max-server-threads N fail (exit 1) when the server has more than N threads after warm-up or at the end
        Exit code: 0 ok, 1 errors (wrong answers, RPC errors, I/O failures), 2 bad arguments, 3 cannot start/connect.
        """;

    public string? SocketPath { get; private set; }
    public string? ServerCommand { get; private set; }
    public string ServerLog { get; private set; } = "/tmp/kong-loadtest-server.log";
    public int ServerPid { get; private set; }
    public double StartupTimeoutSeconds { get; private set; } = 30;
    public string Plugin { get; private set; } = "hello-dotnet";
    public string Message { get; private set; } = "hello";
    public string? ConfigJson { get; private set; }
    public int Concurrency { get; private set; } = 4;
    public int Workers { get; private set; } = 2;
    public ClientMode ClientMode { get; private set; } = ClientMode.Loop;
    /// <summary>Event-loop threads; 0 (the default): one per simulated worker.</summary>
    public int Loops { get; private set; }
    public double DurationSeconds { get; private set; } = 5;
    public long Count { get; private set; }
    public double WarmupSeconds { get; private set; } = 1;
    public int Calls { get; private set; } = 2;
    public int PayloadSize { get; private set; } = 11;
    public string? Label { get; private set; }
    public string? MarkdownPath { get; private set; }
    public bool Quiet { get; private set; }
    public int MaxServerThreads { get; private set; }
    public bool Help { get; private set; }
    public string? RawEchoPath { get; private set; }

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            int Int(int min) => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min ? v : throw new ArgumentException($"{a}: expected an integer >= {min}");
            double Dbl() => double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 ? v : throw new ArgumentException($"{a}: expected a number >= 0");
            switch (a)
            {
                case "--socket": o.SocketPath = Next(); break;
                case "--server-cmd": o.ServerCommand = Next(); break;
                case "--server-log": o.ServerLog = Next(); break;
                case "--server-pid": o.ServerPid = Int(1); break;
                case "--startup-timeout": o.StartupTimeoutSeconds = Dbl(); break;
                case "--plugin": o.Plugin = Next(); break;
                case "--message": o.Message = Next(); break;
                case "--config": o.ConfigJson = Next(); break;
                case "--concurrency" or "-c": o.Concurrency = Int(1); break;
                case "--workers": o.Workers = Int(1); break;
                case "--client-mode":
                    o.ClientMode = Next() switch
                    {
                        "loop" => ClientMode.Loop,
                        "threads" => ClientMode.Threads,
                        _ => throw new ArgumentException("--client-mode: expected loop or threads"),
                    };
                    break;
                case "--loops": o.Loops = Int(1); break;
                case "--duration" or "-d": o.DurationSeconds = Dbl(); break;
                case "--count" or "-n": o.Count = Int(1); break;
                case "--warmup" or "-w": o.WarmupSeconds = Dbl(); break;
                case "--calls": o.Calls = Int(1); break;
                case "--payload": o.PayloadSize = Int(0); break;
                case "--label": o.Label = Next(); break;
                case "--markdown": o.MarkdownPath = Next(); break;
                case "--quiet" or "-q": o.Quiet = true; break;
                case "--max-server-threads": o.MaxServerThreads = Int(1); break;
                case "--raw-echo-server": o.RawEchoPath = Next(); break;
                case "--help" or "-h": o.Help = true; break;
                default: throw new ArgumentException($"unknown option {a}");
            }
        }

        if (!o.Help && o.RawEchoPath is null && o.SocketPath is null) throw new ArgumentException("--socket is required");
        return o;
    }
}
